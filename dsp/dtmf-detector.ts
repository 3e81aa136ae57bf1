import { ALAW_LOAD_CAPACITY_DBM0, dbm0ToAmplitude } from './audio-level.js';
import { DIAL_TONE_FREQUENCIES_HZ } from './dial-tone.js';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, digitAt, type DtmfDigit } from './dtmf-tones.js';
import { spanKernel, type EndedDigit, type SpanKernel } from './dtmf-span-kernel.js';

/** The detector runs on the telephone-band sampling rate of G.711 §2 (8000 samples/s). */
export const DTMF_SAMPLE_RATE = 8000;
/** Block of 34 samples (4.25 ms): the Goertzel unit and the decision step. */
export const DTMF_BLOCK = 34;
/**
 * Analysis window of three blocks, 102 samples (12.75 ms, spandsp's block size):
 * its 78.4 Hz bin spacing puts neighbouring DTMF frequencies near the window's
 * spectral nulls.
 */
export const DTMF_WINDOW = 3 * DTMF_BLOCK;
/** One decision looks at two windows one block apart: four blocks, 136 samples (17 ms). */
export const DTMF_SPAN = 4 * DTMF_BLOCK;

/** Tuning of the receiver; defaults meet Q.24 (see docs/dtmf.md). */
export interface DtmfDetectorOptions {
  /** Weakest accepted tone, per frequency, in dBm0 (default −40; Q.24 Table A-1 asks ≥ −25…−30). */
  minLevelDbm0?: number;
  /** Low-group tone louder than high-group by at most this many dB ("normal twist", default 9; Q.24: 8 dB). */
  maxNormalTwistDb?: number;
  /** High-group tone louder than low-group by at most this many dB ("reverse twist", default 5; Q.24: 4 dB). */
  maxReverseTwistDb?: number;
  /** Largest accepted relative frequency error of each tone (default 0.025: Q.24 accepts ±1.5 %, rejects ±3.5 %). */
  maxFrequencyDeviation?: number;
  /** Strongest tone of each group must exceed the others in its group by this many dB (default 8). */
  minRelativePeakDb?: number;
  /**
   * In each span the two tones must hold at least this share of the total
   * power, in dB (default −1 dB ≈ 79 %): rejects speech, music, harmonics, noise.
   */
  minToneToTotalDb?: number;
  /**
   * Averaged over the hits that make a digit, the two tones must hold at least
   * this share of the power (default −0.4 dB ≈ 91 %). Voiced speech can put two
   * harmonics into a span for a while (espeak-ng voices reach 88 %); a keypad's
   * tones in 15 dB SNR noise hold 95 %.
   */
  minMeanToneToTotalDb?: number;
  /** Each tone's power may change by at most this many dB between the two windows of a span (default 2). */
  maxLevelStepDb?: number;
  /** Hits (one per 4.25 ms block) needed to accept a digit (default 2; the tone-time rule does the rest). */
  minHits?: number;
  /**
   * Tone time needed to accept a digit, in ms (default 32): the union of the
   * spans that hit, so the pieces of an interrupted tone add up (Q.24's
   * interruption rule) while a tone of 23 ms never gets there.
   */
  minToneMs?: number;
  /**
   * Blocks without a hit that end a digit (default 10, 42.5 ms after the last hit):
   * interruptions up to ~25 ms are bridged (Q.24: 10 ms), pauses of 40 ms separate.
   */
  maxMisses?: number;
  /** Notch out 350 Hz and 440 Hz dial tone before analysis (default true). */
  filterDialTone?: boolean;
}

/** One received digit, reported once when it ends. */
export interface DetectedDigit {
  digit: DtmfDigit;
  /** Start and end of the tone in ms from the first sample fed (±3 ms). */
  startMs: number;
  endMs: number;
  /** Mean level of the low-group (row) and high-group (column) tone. */
  lowDbm0: number;
  highDbm0: number;
  /** Level of both tones together, in dBm0 and dBFS (sine-referenced). */
  levelDbm0: number;
  levelDbfs: number;
  /** High-group level minus low-group level in dB. */
  twistDb: number;
}

/**
 * Digit state machine, advanced once per block with the span's verdict
 * (a hit of digit d, or a miss):
 *
 * ```text
 *   Idle ──hit d──▶ Pending(d)
 *   Pending(d) ──hit d (tone time ≥ minToneMs, hits ≥ minHits)──▶ Active(d)
 *   Pending(d) ──hit e≠d──▶ Pending(e)
 *   Pending(d) ──maxMisses blocks since the last hit of d──▶ Idle      (nothing reported)
 *   Active(d) ──hit d──▶ Active(d)       (gaps shorter than maxMisses are bridged)
 *   Active(d) ──maxMisses blocks since the last hit of d──▶ Idle, d reported
 *   Active(d) ──e≠d reaches the acceptance rule──▶ Active(e), d reported
 * ```
 *
 * The machine runs per block in the WebAssembly kernel
 * (dsp/assembly/dtmf-span-kernel.ts `advance`, its one checked `transition()`).
 */
export enum DtmfReceiverState {
  Idle = 'idle',
  Pending = 'pending',
  Active = 'active',
}

const FREQUENCIES = [...DTMF_ROW_FREQUENCIES_HZ, ...DTMF_COLUMN_FREQUENCIES_HZ];
/** Notch pole radius: −3 dB width ≈ (1−r)·fs/π ≈ 100 Hz, < 0.3 dB loss at 697 Hz. */
const DIAL_TONE_NOTCH_RADIUS = 0.96;
/**
 * A block quieter than this share of the weakest acceptable tone pair cannot be
 * part of a hit (a span with a near-silent block fails the level-step or the
 * tone-to-total check), so its Goertzel pass is skipped.
 */
const SILENT_BLOCK_SHARE = 1 / 16;
/**
 * A block and a span in ms (4.25 and 17, exact in binary): times are block
 * counts times these, never block · 34 · 1000 in integers, which passes 2³¹
 * after 4.5 minutes and costs a recompilation of the code that reports digits.
 */
const BLOCK_MS = (DTMF_BLOCK * 1000) / DTMF_SAMPLE_RATE;
const SPAN_MS = (DTMF_SPAN * 1000) / DTMF_SAMPLE_RATE;

type Samples = Int16Array | Float32Array | Float64Array | readonly number[];

/** `count` samples of `from` from `start` into `into` at `at`, as floats of ±1 full scale (Int16 is scaled). */
function toFloat(from: Samples, start: number, count: number, into: Float64Array, at: number): void {
  if (Array.isArray(from)) {
    for (let i = 0; i < count; i++) into[at + i] = from[start + i];
    return;
  }
  if (from instanceof Int16Array) {
    // One pass, scaled on the way (exact: the scale is a power of two).
    for (let i = 0; i < count; i++) into[at + i] = from[start + i] * (1 / 32768);
    return;
  }
  into.set((from as Float32Array | Float64Array).subarray(start, start + count), at);
}

interface Biquad {
  b1: number;
  a1: number;
  a2: number;
}

/** No filter (the kernel's notch coefficients when `filterDialTone` is off; it skips them). */
const NO_NOTCH: Biquad = { b1: 0, a1: 0, a2: 0 };

function notch(frequency: number): Biquad {
  const c = Math.cos((2 * Math.PI * frequency) / DTMF_SAMPLE_RATE);
  const r = DIAL_TONE_NOTCH_RADIUS;
  return { b1: -2 * c, a1: -2 * r * c, a2: r * r };
}

function notchGain(q: Biquad, frequency: number): number {
  const w = (2 * Math.PI * frequency) / DTMF_SAMPLE_RATE;
  // |1 + b1 z⁻¹ + z⁻²| / |1 + a1 z⁻¹ + a2 z⁻²| at z = e^jw
  const nr = 1 + q.b1 * Math.cos(w) + Math.cos(2 * w);
  const ni = -q.b1 * Math.sin(w) - Math.sin(2 * w);
  const dr = 1 + q.a1 * Math.cos(w) + q.a2 * Math.cos(2 * w);
  const di = -q.a1 * Math.sin(w) - q.a2 * Math.sin(2 * w);
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}

function dbToPower(db: number): number {
  return 10 ** (db / 10);
}

/**
 * Streaming DTMF receiver after ITU-T Q.24. Feed 8 kHz audio in blocks of any
 * size; each digit is returned (and passed to `onDigit`) once, when it ends.
 *
 * Every 34 samples a Goertzel bank yields the complex spectrum of that block at
 * the eight Q.23 frequencies; three blocks make a 102-sample window. Each
 * decision looks at two windows one block apart: the phase advance between them
 * measures each tone's frequency (unambiguous to ±117 Hz), which gives a sharp
 * ±1.5 % / ±3.5 % boundary and lets the level be corrected for off-bin loss. A
 * span is a hit when: both tones are above the level threshold, within the
 * twist limits, within the frequency tolerance, each ≥ 8 dB above its group's
 * other frequencies, steady across the two windows, not an octave pair, and
 * holding nearly all of the span's power (everything else — harmonics, speech
 * formants, noise — counts against them).
 *
 * The work per block (notches, energy, Goertzel bank, windows, the span test
 * with its leakage removal and frequency-corrected levels, and the digit state
 * machine of `DtmfReceiverState`) runs in the WebAssembly kernel
 * (dsp/assembly/dtmf-span-kernel.ts, through dsp/dtmf-span-kernel.ts); this
 * class checks the options, derives the kernel's constants from them, feeds it
 * and turns the digits it reports into `DetectedDigit`s.
 */
export class DtmfDetector {
  /** Called with each digit as it is reported (in addition to the return values). */
  onDigit: ((digit: DetectedDigit) => void) | undefined;

  readonly #kernel: SpanKernel;
  /** This detector's parameters, constants and block state, as the kernel keeps them. */
  readonly #image: Float64Array;
  /** Input of a block not yet complete, and how much of it there is. */
  readonly #pending = new Float64Array(DTMF_BLOCK);
  #fill = 0;
  /** Blocks analysed so far (the time base). */
  #blocks = 0;

  constructor(options: DtmfDetectorOptions = {}) {
    const o = {
      minLevelDbm0: -40,
      maxNormalTwistDb: 9,
      maxReverseTwistDb: 5,
      maxFrequencyDeviation: 0.025,
      minRelativePeakDb: 8,
      minToneToTotalDb: -1,
      minMeanToneToTotalDb: -0.4,
      maxLevelStepDb: 2,
      minHits: 2,
      minToneMs: 32,
      maxMisses: 10,
      filterDialTone: true,
      ...options,
    };
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`DtmfDetector: option ${k} must be a finite number`);
    }
    if (!Number.isInteger(o.minHits) || o.minHits < 1) throw new RangeError('DtmfDetector: minHits must be an integer ≥ 1');
    if (!Number.isInteger(o.maxMisses) || o.maxMisses < 1) throw new RangeError('DtmfDetector: maxMisses must be an integer ≥ 1');
    if (o.minToneMs < 0) throw new RangeError('DtmfDetector: minToneMs must be ≥ 0');
    const minAmplitude = dbm0ToAmplitude(o.minLevelDbm0);
    // Two tones at the minimum amplitude put A² of energy per sample into a block.
    const silentBlock = minAmplitude ** 2 * DTMF_BLOCK * SILENT_BLOCK_SHARE;
    const notches = o.filterDialTone ? DIAL_TONE_FREQUENCIES_HZ.map(notch) : [];
    const [n1, n2] = notches.length === 2 ? notches : [NO_NOTCH, NO_NOTCH];
    const omega = FREQUENCIES.map((f) => (2 * Math.PI * f) / DTMF_SAMPLE_RATE);
    this.#kernel = spanKernel();
    this.#image = this.#kernel.newImage((k) => {
      k.configure(
        minAmplitude, silentBlock, dbToPower(o.maxNormalTwistDb), dbToPower(o.maxReverseTwistDb), o.maxFrequencyDeviation,
        dbToPower(o.minRelativePeakDb), dbToPower(o.minToneToTotalDb), dbToPower(o.maxLevelStepDb),
        notches.length === 0 ? 0 : 1, n1.b1, n1.a1, n1.a2, n2.b1, n2.a1, n2.a2,
        o.minHits, (o.minToneMs * DTMF_SAMPLE_RATE) / 1000, o.maxMisses, dbToPower(o.minMeanToneToTotalDb),
      );
      omega.forEach((w, i) => {
        const f = FREQUENCIES[i];
        // e^(jωL) advances a block's Goertzel reference by one block; the gain undoes the notches' loss at f.
        const gain = 1 / notches.reduce((g, q) => g * notchGain(q, f), 1);
        k.setFrequency(i, f, 2 * Math.cos(w), Math.cos(w), Math.sin(w), Math.cos(w * DTMF_BLOCK), Math.sin(w * DTMF_BLOCK), gain, (2 * Math.PI * f * DTMF_BLOCK) / DTMF_SAMPLE_RATE);
      });
      // In window-start terms X_r = N·α_r + conj(k)·α_c with k = Σ e^(j(ω_r−ω_c)n); the
      // windows here are referenced to their last sample, which turns conj(k) into
      // q = conj(k)·e^(j(ω_r−ω_c)(N−1)).
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          const d = omega[r] - omega[4 + c];
          let kr = 0;
          let ki = 0;
          for (let i = 0; i < DTMF_WINDOW; i++) {
            kr += Math.cos(d * i);
            ki += Math.sin(d * i);
          }
          const ref = d * (DTMF_WINDOW - 1);
          // conj(k)·e^(j·ref)
          k.setCross(r * 4 + c, kr * Math.cos(ref) + ki * Math.sin(ref), kr * Math.sin(ref) - ki * Math.cos(ref));
        }
      }
    });
  }

  get state(): DtmfReceiverState {
    return RECEIVER_STATES[this.#kernel.machineState(this.#image)];
  }

  /** Samples consumed so far (the time base of `startMs`/`endMs`). */
  get samplesProcessed(): number {
    return this.#blocks * DTMF_BLOCK + this.#fill;
  }

  /**
   * Feeds 8 kHz audio: Int16Array is 16-bit linear, float arrays are ±1 full
   * scale. Returns the digits that ended within this block.
   */
  process(samples: Samples): DetectedDigit[] {
    const out: DetectedDigit[] = [];
    const n = samples.length;
    const chunk = this.#kernel.chunkBlocks * DTMF_BLOCK;
    let i = 0;
    while (i < n) {
      if (this.#fill > 0 || n - i < DTMF_BLOCK) {
        // Top up the partial block, sample by sample.
        const take = Math.min(DTMF_BLOCK - this.#fill, n - i);
        toFloat(samples, i, take, this.#pending, this.#fill);
        i += take;
        this.#fill += take;
        if (this.#fill === DTMF_BLOCK) {
          this.#fill = 0;
          this.#run(this.#pending, 0, DTMF_BLOCK, out);
        }
        continue;
      }
      // Whole blocks, as many as the kernel takes at once.
      const count = Math.min(chunk, n - i - ((n - i) % DTMF_BLOCK));
      this.#run(samples, i, count, out);
      i += count;
    }
    return out;
  }

  /** Reports the digit in progress now (end of call / file) instead of waiting for the hangover. */
  flush(): DetectedDigit[] {
    const out: DetectedDigit[] = [];
    this.#report(this.#kernel.flush(this.#image), this.#blocks - 1, out);
    return out;
  }

  /** Forgets all state and restarts the time base at 0. */
  reset(): void {
    this.#fill = 0;
    this.#blocks = 0;
    this.#kernel.reset(this.#image);
  }

  /** Runs whole blocks through the kernel and reports the digits that ended in them. */
  #run(samples: Samples, start: number, count: number, out: DetectedDigit[]): void {
    const first = this.#blocks;
    const ended = this.#kernel.run(this.#image, samples, start, count);
    this.#blocks = first + count / DTMF_BLOCK;
    this.#report(ended, first, out);
  }

  /**
   * The digits the kernel reported (`ended`, read off it before any callback
   * runs: a callback may feed another detector), each returned and passed to
   * `onDigit`, which sees `samplesProcessed` at the end of the block that
   * ended it (`first` + its block in the run).
   */
  #report(ended: readonly EndedDigit[], first: number, out: DetectedDigit[]): void {
    const blocks = this.#blocks;
    for (const e of ended) {
      const digit = detectedDigit(e);
      out.push(digit);
      if (this.onDigit) {
        this.#blocks = first + e.block + 1;
        this.onDigit(digit);
      }
    }
    this.#blocks = blocks;
  }
}

/** The receiver states by the kernel's numbers. */
const RECEIVER_STATES: readonly DtmfReceiverState[] = [DtmfReceiverState.Idle, DtmfReceiverState.Pending, DtmfReceiverState.Active];

function detectedDigit(c: EndedDigit): DetectedDigit {
  const low = c.sumLow / c.hits;
  const high = c.sumHigh / c.hits;
  const lowDbm0 = 20 * Math.log10(low) + ALAW_LOAD_CAPACITY_DBM0;
  const highDbm0 = 20 * Math.log10(high) + ALAW_LOAD_CAPACITY_DBM0;
  const levelDbm0 = 10 * Math.log10(10 ** (lowDbm0 / 10) + 10 ** (highDbm0 / 10));
  return {
    digit: digitAt(c.digit >> 2, c.digit & 3),
    startMs: c.firstBlock * BLOCK_MS,
    endMs: c.lastBlock * BLOCK_MS + SPAN_MS,
    lowDbm0: round2(lowDbm0),
    highDbm0: round2(highDbm0),
    levelDbm0: round2(levelDbm0),
    levelDbfs: round2(levelDbm0 - ALAW_LOAD_CAPACITY_DBM0),
    twistDb: round2(highDbm0 - lowDbm0),
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Convenience: runs a fresh detector over a whole 8 kHz signal and flushes it. */
export function detectDtmf(samples: Int16Array | Float32Array | Float64Array, options?: DtmfDetectorOptions): DetectedDigit[] {
  const d = new DtmfDetector(options);
  return [...d.process(samples), ...d.flush()];
}
