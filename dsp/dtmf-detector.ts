import { ALAW_LOAD_CAPACITY_DBM0, dbm0ToAmplitude } from './audio-level.js';
import { DIAL_TONE_FREQUENCIES_HZ } from './dial-tone.js';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, digitAt, type DtmfDigit } from './dtmf-tones.js';
import { GoertzelBank } from './goertzel.js';

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
 */
export enum DtmfReceiverState {
  Idle = 'idle',
  Pending = 'pending',
  Active = 'active',
}

const FREQUENCIES = [...DTMF_ROW_FREQUENCIES_HZ, ...DTMF_COLUMN_FREQUENCIES_HZ];
const NO_DIGIT = -1;
/**
 * Column within 1 % of twice the row frequency = second harmonic, not DTMF. The
 * closest genuine pairs (1633/852, 1336/697: ratio 1.917; 1477/697: 2.119) stay
 * ≥ 1.2 % away from 2 even when both tones are 1.5 % off.
 */
const OCTAVE_TOLERANCE = 0.01;
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
/** Input converted to float per step: 120 blocks, 0.5 s. */
const CHUNK_SAMPLES = 120 * DTMF_BLOCK;

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

/** Verdict of one span: a digit (row·4 + column) with its measured tones, or a miss. */
interface SpanHit {
  digit: number;
  low: number;
  high: number;
  /** Share of the span's power in the two tones. */
  purity: number;
}

/** A digit being collected: its hits, their tone time and summed levels. */
class Candidate {
  digit = NO_DIGIT;
  firstBlock = 0;
  lastBlock = 0;
  hits = 0;
  /** Union of the hit spans, in samples. */
  toneSamples = 0;
  sumLow = 0;
  sumHigh = 0;
  sumPurity = 0;

  start(hit: SpanHit, block: number): void {
    this.digit = hit.digit;
    this.firstBlock = block;
    this.lastBlock = block;
    this.hits = 1;
    this.toneSamples = DTMF_SPAN;
    this.sumLow = hit.low;
    this.sumHigh = hit.high;
    this.sumPurity = hit.purity;
  }

  add(hit: SpanHit, block: number): void {
    this.toneSamples += Math.min(DTMF_SPAN, (block - this.lastBlock) * DTMF_BLOCK);
    this.lastBlock = block;
    this.hits++;
    this.sumLow += hit.low;
    this.sumHigh += hit.high;
    this.sumPurity += hit.purity;
  }

  copyFrom(o: Candidate): void {
    this.digit = o.digit;
    this.firstBlock = o.firstBlock;
    this.lastBlock = o.lastBlock;
    this.hits = o.hits;
    this.toneSamples = o.toneSamples;
    this.sumLow = o.sumLow;
    this.sumHigh = o.sumHigh;
    this.sumPurity = o.sumPurity;
  }

  clear(): void {
    this.digit = NO_DIGIT;
  }
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
 */
export class DtmfDetector {
  /** Called with each digit as it is reported (in addition to the return values). */
  onDigit: ((digit: DetectedDigit) => void) | undefined;

  readonly #bank = new GoertzelBank(FREQUENCIES, DTMF_SAMPLE_RATE, DTMF_BLOCK);
  /** The block being analysed (after the notches). */
  readonly #block = new Float64Array(DTMF_BLOCK);
  /** Input of a block not yet complete, and how much of it there is. */
  readonly #pending = new Float64Array(DTMF_BLOCK);
  #fill = 0;
  /** Whole blocks of input converted to float at once. */
  readonly #chunk = new Float64Array(CHUNK_SAMPLES);
  /** Blocks analysed so far (the time base). */
  #blocks = 0;
  /** Goertzel results of the last three blocks (ring of 3 × 8), and energies of the last four (ring of 4). */
  readonly #yRe = new Float64Array(3 * 8);
  readonly #yIm = new Float64Array(3 * 8);
  readonly #energy = new Float64Array(4);
  /** Windows of the last two spans' ends (ring of 2 × 8): complex value and power. */
  readonly #wRe = new Float64Array(2 * 8);
  readonly #wIm = new Float64Array(2 * 8);
  readonly #wPower = new Float64Array(2 * 8);
  /** Blocks since the last silent block (a span needs four loud ones). */
  #loudRun = 0;

  readonly #notches: Biquad[];
  readonly #z = new Float64Array(4);
  /** e^(jωL): advances a block's Goertzel reference by one block. */
  readonly #stepRe = new Float64Array(8);
  readonly #stepIm = new Float64Array(8);
  readonly #gainCorrection = new Float64Array(8);
  /** Cross-leakage q of column into row for each row·4+column, in the windows' reference. */
  readonly #crossRe = new Float64Array(16);
  readonly #crossIm = new Float64Array(16);

  readonly #minAmplitude: number;
  readonly #silentBlock: number;
  readonly #normalTwist: number;
  readonly #reverseTwist: number;
  readonly #maxDeviation: number;
  readonly #relativePeak: number;
  readonly #toneToTotal: number;
  readonly #meanToneToTotal: number;
  readonly #levelStep: number;
  readonly #minHits: number;
  readonly #minToneSamples: number;
  readonly #maxMisses: number;

  #state = DtmfReceiverState.Idle;
  readonly #current = new Candidate();
  readonly #other = new Candidate();
  readonly #hit: SpanHit = { digit: NO_DIGIT, low: 0, high: 0, purity: 0 };

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
    this.#minAmplitude = dbm0ToAmplitude(o.minLevelDbm0);
    // Two tones at the minimum amplitude put A² of energy per sample into a block.
    this.#silentBlock = this.#minAmplitude ** 2 * DTMF_BLOCK * SILENT_BLOCK_SHARE;
    this.#normalTwist = dbToPower(o.maxNormalTwistDb);
    this.#reverseTwist = dbToPower(o.maxReverseTwistDb);
    this.#maxDeviation = o.maxFrequencyDeviation;
    this.#relativePeak = dbToPower(o.minRelativePeakDb);
    this.#toneToTotal = dbToPower(o.minToneToTotalDb);
    this.#meanToneToTotal = dbToPower(o.minMeanToneToTotalDb);
    this.#levelStep = dbToPower(o.maxLevelStepDb);
    this.#minHits = o.minHits;
    this.#minToneSamples = (o.minToneMs * DTMF_SAMPLE_RATE) / 1000;
    this.#maxMisses = o.maxMisses;
    this.#notches = o.filterDialTone ? DIAL_TONE_FREQUENCIES_HZ.map(notch) : [];
    const omega = FREQUENCIES.map((f) => (2 * Math.PI * f) / DTMF_SAMPLE_RATE);
    omega.forEach((w, k) => {
      this.#stepRe[k] = Math.cos(w * DTMF_BLOCK);
      this.#stepIm[k] = Math.sin(w * DTMF_BLOCK);
      this.#gainCorrection[k] = 1 / this.#notches.reduce((g, q) => g * notchGain(q, FREQUENCIES[k]), 1);
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
        this.#crossRe[r * 4 + c] = kr * Math.cos(ref) + ki * Math.sin(ref);
        this.#crossIm[r * 4 + c] = kr * Math.sin(ref) - ki * Math.cos(ref);
      }
    }
  }

  get state(): DtmfReceiverState {
    return this.#state;
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
          this.#endOfBlock(this.#pending, 0, out);
        }
        continue;
      }
      // Whole blocks, converted to float in bulk.
      const count = Math.min(CHUNK_SAMPLES, n - i - ((n - i) % DTMF_BLOCK));
      toFloat(samples, i, count, this.#chunk, 0);
      for (let at = 0; at < count; at += DTMF_BLOCK) this.#endOfBlock(this.#chunk, at, out);
      i += count;
    }
    return out;
  }

  /** Reports the digit in progress now (end of call / file) instead of waiting for the hangover. */
  flush(): DetectedDigit[] {
    const out: DetectedDigit[] = [];
    if (this.#state === DtmfReceiverState.Active) this.#emit(this.#current, out);
    this.#toIdle();
    return out;
  }

  /** Forgets all state and restarts the time base at 0. */
  reset(): void {
    this.#fill = 0;
    this.#blocks = 0;
    this.#loudRun = 0;
    this.#z.fill(0);
    this.#toIdle();
  }

  /** Filters the full block, measures it, and advances the receiver by one decision. */
  #endOfBlock(source: Float64Array, at: number, out: DetectedDigit[]): void {
    const block = this.#block;
    const e = this.#filterBlock(source, at, block);
    const b = this.#blocks++;
    this.#energy[b & 3] = e;
    if (e < this.#silentBlock) {
      this.#loudRun = 0;
    } else {
      this.#loudRun++;
      this.#bank.analyse(block, 0, this.#yRe, this.#yIm, (b % 3) * 8);
      if (this.#loudRun >= 3) this.#window(b);
    }
    if (b < 3) return;
    // The span of blocks b−3 … b: a hit needs all four loud.
    const span = b - 3;
    const hit = this.#loudRun >= 4 ? this.#classify(b) : NO_DIGIT;
    this.#advance(hit, span, out);
  }

  /** One block of `source` from `at`, dial-tone notched, into `into`; returns the block's energy. */
  #filterBlock(source: Float64Array, at: number, into: Float64Array): number {
    let e = 0;
    if (this.#notches.length === 0) {
      for (let i = 0; i < DTMF_BLOCK; i++) {
        const v = source[at + i];
        into[i] = v;
        e += v * v;
      }
      return e;
    }
    const z = this.#z;
    let z0 = z[0];
    let z1 = z[1];
    let z2 = z[2];
    let z3 = z[3];
    const n1 = this.#notches[0];
    const n2 = this.#notches[1];
    const p1 = n1.b1;
    const q1 = n1.a1;
    const r1 = n1.a2;
    const p2 = n2.b1;
    const q2 = n2.a1;
    const r2 = n2.a2;
    for (let i = 0; i < DTMF_BLOCK; i++) {
      // Direct form II, two cascaded notches (350 Hz, 440 Hz).
      const w1 = source[at + i] - q1 * z0 - r1 * z1;
      const v = w1 + p1 * z0 + z1;
      z1 = z0;
      z0 = w1;
      const w2 = v - q2 * z2 - r2 * z3;
      const y = w2 + p2 * z2 + z3;
      z3 = z2;
      z2 = w2;
      into[i] = y;
      e += y * y;
    }
    // Denormals from decaying filter state would slow the loop to a crawl.
    z[0] = Math.abs(z0) < 1e-30 ? 0 : z0;
    z[1] = Math.abs(z1) < 1e-30 ? 0 : z1;
    z[2] = Math.abs(z2) < 1e-30 ? 0 : z2;
    z[3] = Math.abs(z3) < 1e-30 ? 0 : z3;
    return e;
  }

  /** Forms the window of blocks b−2 … b (referenced to its last sample) and its powers. */
  #window(b: number): void {
    const s0 = ((b - 2) % 3) * 8;
    const s1 = ((b - 1) % 3) * 8;
    const s2 = (b % 3) * 8;
    const w = (b & 1) * 8;
    const yr = this.#yRe;
    const yi = this.#yIm;
    for (let k = 0; k < 8; k++) {
      const cr = this.#stepRe[k];
      const ci = this.#stepIm[k];
      // W = y2 + ρ·(y1 + ρ·y0), ρ = e^(jωL)
      let ar = yr[s1 + k] + cr * yr[s0 + k] - ci * yi[s0 + k];
      let ai = yi[s1 + k] + cr * yi[s0 + k] + ci * yr[s0 + k];
      const tr = yr[s2 + k] + cr * ar - ci * ai;
      ai = yi[s2 + k] + cr * ai + ci * ar;
      ar = tr;
      this.#wRe[w + k] = ar;
      this.#wIm[w + k] = ai;
      this.#wPower[w + k] = ar * ar + ai * ai;
    }
  }

  /**
   * Digit index (row·4 + column) if the span ending with block b (windows ending
   * at b−1 and b) is a valid DTMF signal, else NO_DIGIT; levels land in #hit.
   */
  #classify(b: number): number {
    const a = ((b - 1) & 1) * 8;
    const c = (b & 1) * 8;
    const e = this.#energy;
    const total = e[0] + e[1] + e[2] + e[3];
    const wp = this.#wPower;
    const power = this.#power;
    for (let k = 0; k < 8; k++) power[k] = wp[a + k] + wp[c + k];
    let row = 0;
    for (let k = 1; k < 4; k++) if (power[k] > power[row]) row = k;
    let col = 4;
    for (let k = 5; k < 8; k++) if (power[k] > power[col]) col = k;
    const peakRow = power[row] / this.#relativePeak;
    const peakCol = power[col] / this.#relativePeak;
    for (let k = 0; k < 4; k++) if (k !== row && power[k] > peakRow) return NO_DIGIT;
    for (let k = 4; k < 8; k++) if (k !== col && power[k] > peakCol) return NO_DIGIT;
    this.#unmix(a, row, col, 0);
    this.#unmix(c, row, col, 1);
    // Amplitudes as analysed (after the dial-tone notches), and the true ones.
    const lowSeen = this.#toneAmplitude(row);
    const low = lowSeen * this.#gainCorrection[row];
    if (low < this.#minAmplitude) return NO_DIGIT;
    const highSeen = this.#toneAmplitude(col);
    const high = highSeen * this.#gainCorrection[col];
    if (high < this.#minAmplitude) return NO_DIGIT;
    // Q.23 chose the frequencies so that no column is a harmonic of a row: a
    // column at twice the row's measured frequency is one voice or instrument.
    if (Math.abs(this.#measured[col] - 2 * this.#measured[row]) < OCTAVE_TOLERANCE * this.#measured[col]) return NO_DIGIT;
    const lowPower = low * low;
    const highPower = high * high;
    if (lowPower > highPower * this.#normalTwist || highPower > lowPower * this.#reverseTwist) return NO_DIGIT;
    // Tone power (A²/2 each) against the mean power of the span, both as analysed.
    const purity = ((lowSeen * lowSeen + highSeen * highSeen) * 0.5 * DTMF_SPAN) / total;
    if (purity < this.#toneToTotal) return NO_DIGIT;
    this.#hit.purity = purity;
    const digit = row * 4 + (col - 4);
    this.#hit.digit = digit;
    this.#hit.low = low;
    this.#hit.high = high;
    return digit;
  }

  readonly #power = new Float64Array(8);
  /** Frequencies of the best row and column as measured from the phase advance. */
  readonly #measured = new Float64Array(8);
  /** Unmixed tone values of the two windows: [window·8 + k]. */
  readonly #xr = new Float64Array(16);
  readonly #xi = new Float64Array(16);

  /**
   * Removes each tone's spectral leakage from the other's bin in one window.
   * With a 102-sample rectangular window a tone leaks about −21 dB into a bin
   * 268 Hz away; under 8 dB twist that beats against the weaker tone by ±2 dB
   * and skews its level. Modelling the window as two complex exponentials at the
   * nominal frequencies, X_r = N·β_r + q·β_c and X_c = conj(q)·β_r + N·β_c;
   * solving for β gives each tone alone, and X is replaced by N·β.
   */
  #unmix(from: number, row: number, col: number, into: number): void {
    const qr = this.#crossRe[row * 4 + col - 4];
    const qi = this.#crossIm[row * 4 + col - 4];
    const n = DTMF_WINDOW;
    const scale = n / (n * n - qr * qr - qi * qi);
    const rr = this.#wRe[from + row];
    const ri = this.#wIm[from + row];
    const cr = this.#wRe[from + col];
    const ci = this.#wIm[from + col];
    const o = into * 8;
    // β_r = (N·X_r − q·X_c)/det,  β_c = (N·X_c − conj(q)·X_r)/det
    this.#xr[o + row] = scale * (n * rr - (qr * cr - qi * ci));
    this.#xi[o + row] = scale * (n * ri - (qr * ci + qi * cr));
    this.#xr[o + col] = scale * (n * cr - (qr * rr + qi * ri));
    this.#xi[o + col] = scale * (n * ci - (qr * ri - qi * rr));
  }

  /**
   * Peak amplitude of tone `k` corrected for its measured frequency offset, or 0
   * when the tone is off frequency or not steady across the two windows.
   */
  #toneAmplitude(k: number): number {
    const x1r = this.#xr[k];
    const x1i = this.#xi[k];
    const x2r = this.#xr[8 + k];
    const x2i = this.#xi[8 + k];
    const p1 = x1r * x1r + x1i * x1i;
    const p2 = x2r * x2r + x2i * x2i;
    if (p1 > p2 * this.#levelStep || p2 > p1 * this.#levelStep) return 0;
    // Phase advance of window 2 over window 1 (one block later), minus the nominal one.
    const f0 = FREQUENCIES[k];
    let dphi = Math.atan2(x2i * x1r - x2r * x1i, x2r * x1r + x2i * x1i) - (2 * Math.PI * f0 * DTMF_BLOCK) / DTMF_SAMPLE_RATE;
    dphi -= 2 * Math.PI * Math.round(dphi / (2 * Math.PI));
    const df = (dphi * DTMF_SAMPLE_RATE) / (2 * Math.PI * DTMF_BLOCK);
    if (Math.abs(df) > this.#maxDeviation * f0) return 0;
    this.#measured[k] = f0 + df;
    // |X| of a sine of amplitude A, δ Hz off the analysis frequency: (A/2)·|sin(πδN/fs)/sin(πδ/fs)|.
    const x = (Math.PI * df) / DTMF_SAMPLE_RATE;
    const kernel = Math.abs(x) < 1e-9 ? DTMF_WINDOW : Math.abs(Math.sin(x * DTMF_WINDOW) / Math.sin(x));
    return (Math.sqrt(p1) + Math.sqrt(p2)) / kernel;
  }

  #accepted(c: Candidate): boolean {
    return c.hits >= this.#minHits && c.toneSamples >= this.#minToneSamples && c.sumPurity >= this.#meanToneToTotal * c.hits;
  }

  #advance(hit: number, span: number, out: DetectedDigit[]): void {
    const cur = this.#current;
    const other = this.#other;
    switch (this.#state) {
      case DtmfReceiverState.Idle:
        if (hit !== NO_DIGIT) {
          cur.start(this.#hit, span);
          this.#transition(DtmfReceiverState.Pending);
        }
        return;
      case DtmfReceiverState.Pending:
        if (hit === cur.digit) {
          cur.add(this.#hit, span);
          if (this.#accepted(cur)) this.#transition(DtmfReceiverState.Active);
        } else if (hit !== NO_DIGIT) {
          cur.start(this.#hit, span);
        } else if (span - cur.lastBlock >= this.#maxMisses) {
          this.#toIdle();
        }
        return;
      case DtmfReceiverState.Active:
        if (hit === cur.digit) {
          cur.add(this.#hit, span);
          other.clear();
          return;
        }
        if (hit !== NO_DIGIT) {
          if (hit === other.digit && span - other.lastBlock < this.#maxMisses) other.add(this.#hit, span);
          else other.start(this.#hit, span);
          if (this.#accepted(other)) {
            this.#emit(cur, out);
            cur.copyFrom(other);
            other.clear();
            return;
          }
        }
        if (span - cur.lastBlock >= this.#maxMisses) {
          this.#emit(cur, out);
          if (other.digit !== NO_DIGIT && span - other.lastBlock < this.#maxMisses) {
            cur.copyFrom(other);
            other.clear();
            this.#transition(DtmfReceiverState.Pending);
          } else {
            this.#toIdle();
          }
        }
        return;
    }
  }

  /** The one place the state changes; refuses moves the diagram does not have. */
  #transition(to: DtmfReceiverState): void {
    const from = this.#state;
    const allowed =
      to === DtmfReceiverState.Idle ||
      (from === DtmfReceiverState.Idle && to === DtmfReceiverState.Pending) ||
      (from === DtmfReceiverState.Pending && to === DtmfReceiverState.Active) ||
      (from === DtmfReceiverState.Active && to === DtmfReceiverState.Pending);
    if (!allowed) throw new Error(`DtmfDetector: no transition ${from} → ${to}`);
    this.#state = to;
  }

  #toIdle(): void {
    this.#transition(DtmfReceiverState.Idle);
    this.#current.clear();
    this.#other.clear();
  }

  #emit(c: Candidate, out: DetectedDigit[]): void {
    const low = c.sumLow / c.hits;
    const high = c.sumHigh / c.hits;
    const lowDbm0 = 20 * Math.log10(low) + ALAW_LOAD_CAPACITY_DBM0;
    const highDbm0 = 20 * Math.log10(high) + ALAW_LOAD_CAPACITY_DBM0;
    const levelDbm0 = 10 * Math.log10(10 ** (lowDbm0 / 10) + 10 ** (highDbm0 / 10));
    const digit: DetectedDigit = {
      digit: digitAt(c.digit >> 2, c.digit & 3),
      startMs: c.firstBlock * BLOCK_MS,
      endMs: c.lastBlock * BLOCK_MS + SPAN_MS,
      lowDbm0: round2(lowDbm0),
      highDbm0: round2(highDbm0),
      levelDbm0: round2(levelDbm0),
      levelDbfs: round2(levelDbm0 - ALAW_LOAD_CAPACITY_DBM0),
      twistDb: round2(highDbm0 - lowDbm0),
    };
    out.push(digit);
    this.onDigit?.(digit);
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Convenience: runs a fresh detector over a whole 8 kHz signal and flushes it. */
export function detectDtmf(samples: Int16Array | Float32Array | Float64Array, options?: DtmfDetectorOptions): DetectedDigit[] {
  const d = new DtmfDetector(options);
  return [...d.process(samples), ...d.flush()];
}
