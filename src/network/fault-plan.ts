import { DIAL_TONE_LEVEL_DBM0 } from '../../dsp/dial-tone.js';

/**
 * Faults the network injects for one line, set from config, CLI or tests
 * (`Exchange.setFaults`). Call faults act when the line is called
 * (`busyNextCalls`, `unreachable`) or calls out (`noDialtone`); path faults
 * act on every connected call the line takes part in.
 */
export interface FaultPlan {
  /** The next N calls to this line get BUSY, whatever the terminal would say. */
  busyNextCalls: number;
  /** Calls to this line fail as 'unreachable' (the modem hears no carrier). */
  unreachable: boolean;
  /** The line has no dial tone: calls from it fail with NO DIALTONE. */
  noDialtone: boolean;
  /** Release a connected call after this many bytes crossed the path (both directions). */
  dropAfterBytes: number | undefined;
  /** Release a connected call this long after connect. */
  dropAfterMs: number | undefined;
  /** Probability per byte that it arrives with bits flipped (0 … 1). */
  corruptRate: number;
  /** Seed of the corruption generator, so a failing run can be repeated. */
  corruptSeed: number;
  /** One-way delay added to every byte on the path. */
  latencyMs: number;
  /** Voice calls: loss in dB on audio to and from this line (docs/voice-path.md). */
  lossDb: number;
  /** Voice calls: white noise at this level in dBm0, or undefined. */
  noiseDbm0: number | undefined;
  /** Voice calls: dial tone (350 + 440 Hz) heard under the audio, at this level per tone in dBm0. */
  dialToneDbm0: number | undefined;
}

export const NO_FAULTS: Readonly<FaultPlan> = Object.freeze({
  busyNextCalls: 0,
  unreachable: false,
  noDialtone: false,
  dropAfterBytes: undefined,
  dropAfterMs: undefined,
  corruptRate: 0,
  corruptSeed: 1,
  latencyMs: 0,
  lossDb: 0,
  noiseDbm0: undefined,
  dialToneDbm0: undefined,
});

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|min)?$/;

/** "30s", "500ms", "2min", or bare seconds → milliseconds. */
function parseDuration(key: string, text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new FaultSpecError(`fault ${key}: '${text}' is not a duration (e.g. 30s, 500ms)`);
  const factor = m[2] === 'ms' ? 1 : m[2] === 'min' ? 60_000 : 1000;
  return Number(m[1]) * factor;
}

function parseCount(key: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new FaultSpecError(`fault ${key}: '${text}' is not a whole number`);
  return Number(text);
}

function parseLevel(key: string, text: string, min: number, max: number): number {
  const n = Number(text.replace(/dbm0$|db$/i, ''));
  if (text === '' || !Number.isFinite(n) || n < min || n > max) throw new FaultSpecError(`fault ${key}: '${text}' is not a level from ${min} to ${max} dB`);
  return n;
}

type Setter = (plan: Partial<FaultPlan>, value: string | undefined, key: string) => void;

function needValue(key: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new FaultSpecError(`fault ${key} needs a value (${key}=…)`);
  return value;
}

/** One entry per key of the textual form; see docs/network.md. */
const SETTERS: Record<string, Setter> = {
  busy: (p, v, k) => { p.busyNextCalls = v === undefined ? 1 : parseCount(k, v); },
  unreachable: (p, v) => { p.unreachable = v !== 'off'; },
  'no-dialtone': (p, v) => { p.noDialtone = v !== 'off'; },
  'drop-bytes': (p, v, k) => { p.dropAfterBytes = parseCount(k, needValue(k, v)); },
  'drop-after': (p, v, k) => { p.dropAfterMs = parseDuration(k, needValue(k, v)); },
  corrupt: (p, v, k) => {
    const rate = Number(needValue(k, v));
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new FaultSpecError(`fault corrupt: '${v}' is not a rate between 0 and 1`);
    p.corruptRate = rate;
  },
  seed: (p, v, k) => { p.corruptSeed = parseCount(k, needValue(k, v)); },
  latency: (p, v, k) => { p.latencyMs = parseDuration(k, needValue(k, v)); },
  loss: (p, v, k) => { p.lossDb = parseLevel(k, needValue(k, v), 0, 60); },
  noise: (p, v, k) => { p.noiseDbm0 = parseLevel(k, needValue(k, v), -90, 0); },
  // Default level: the precise tone plan's −13 dBm0 per tone (dsp/audio-channel.ts).
  'dial-tone': (p, v, k) => { p.dialToneDbm0 = v === undefined ? DIAL_TONE_LEVEL_DBM0 : parseLevel(k, v, -60, 0); },
};

/**
 * Parse the textual fault form used by config files and the CLI:
 * comma-separated `key[=value]`, e.g. `busy=3,drop-bytes=1000,corrupt=0.001,seed=7,latency=50ms`.
 */
export function parseFaultSpec(spec: string): Partial<FaultPlan> {
  const plan: Partial<FaultPlan> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? undefined : part.slice(eq + 1);
    const setter = SETTERS[key];
    if (!setter) throw new FaultSpecError(`unknown fault '${key}' (known: ${Object.keys(SETTERS).join(', ')})`);
    setter(plan, value, key);
  }
  return plan;
}
