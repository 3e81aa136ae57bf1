import { dbm0ToAmplitude } from './audio-level.js';
import { addTones } from './tone-generator.js';
import {
  DTMF_COLUMN_FREQUENCIES_HZ,
  DTMF_ROW_FREQUENCIES_HZ,
  digitPosition,
  parseDtmfDigits,
  type DtmfDigit,
} from './dtmf-tones.js';

/**
 * Q.23 recommends a minimum of 40 ms signal and 40 ms pause at 10 digits/s
 * max; 50 ms on / 50 ms off is the usual "fast" rate dialers and tests use.
 */
export const DEFAULT_TONE_ON_MS = 50;
export const DEFAULT_TONE_OFF_MS = 50;
/** Q.23 §3.2 / Q.24 Table A-1 sending levels cluster around −6…−11 dBm0 per low tone. */
export const DEFAULT_LOW_TONE_DBM0 = -10;

export interface DtmfGeneratorOptions {
  /** Output sample rate (default 8000 Hz). */
  sampleRate?: number;
  /** Tone duration per digit in ms (default 50). */
  onMs?: number;
  /** Pause after each digit in ms (default 50). */
  offMs?: number;
  /** Level of the low-group (row) tone in dBm0 (default −10). */
  levelDbm0?: number;
  /**
   * High-group level minus low-group level in dB (default 0). Positive values
   * make the column tone louder ("reverse twist" at a receiver, in spandsp's and
   * this detector's terms); negative values make the row tone louder ("normal twist").
   */
  twistDb?: number;
  /** Relative frequency error applied to the row tone, e.g. 0.015 = +1.5 % (default 0). */
  rowOffset?: number;
  /** Relative frequency error applied to the column tone (default 0). */
  columnOffset?: number;
  /** Silence before the first digit in ms (default 0). */
  leadMs?: number;
}

/** Where a digit's tone lies in the generated samples. */
export interface GeneratedDigit {
  digit: DtmfDigit;
  startSample: number;
  endSample: number;
}

/**
 * Renders DTMF digits as float samples (±1 = full scale). Each tone starts at
 * phase zero, as a keypad's oscillators do when keyed.
 */
export function generateDtmf(digits: string | readonly DtmfDigit[], options: DtmfGeneratorOptions = {}): {
  samples: Float32Array;
  digits: GeneratedDigit[];
} {
  const list = typeof digits === 'string' ? parseDtmfDigits(digits) : digits;
  const rate = options.sampleRate ?? 8000;
  const onMs = options.onMs ?? DEFAULT_TONE_ON_MS;
  const offMs = options.offMs ?? DEFAULT_TONE_OFF_MS;
  const leadMs = options.leadMs ?? 0;
  for (const [name, v] of [['sampleRate', rate], ['onMs', onMs], ['offMs', offMs], ['leadMs', leadMs]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`DTMF generator: ${name} must be a non-negative number, got ${v}`);
  }
  if (rate < 4000) throw new RangeError(`DTMF generator: sample rate ${rate} Hz is too low for 1633 Hz tones`);
  const onLen = Math.round((onMs * rate) / 1000);
  const offLen = Math.round((offMs * rate) / 1000);
  const lead = Math.round((leadMs * rate) / 1000);
  const low = dbm0ToAmplitude(options.levelDbm0 ?? DEFAULT_LOW_TONE_DBM0);
  const high = low * 10 ** ((options.twistDb ?? 0) / 20);
  const samples = new Float32Array(lead + list.length * (onLen + offLen));
  const placed: GeneratedDigit[] = [];
  let at = lead;
  for (const digit of list) {
    const { row, column } = digitPosition(digit);
    const tones = [
      { hz: DTMF_ROW_FREQUENCIES_HZ[row] * (1 + (options.rowOffset ?? 0)), amplitude: low },
      { hz: DTMF_COLUMN_FREQUENCIES_HZ[column] * (1 + (options.columnOffset ?? 0)), amplitude: high },
    ];
    addTones(samples, tones, rate, { start: at, length: onLen });
    placed.push({ digit, startSample: at, endSample: at + onLen });
    at += onLen + offLen;
  }
  return { samples, digits: placed };
}
