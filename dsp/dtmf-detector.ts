import { ALAW_LOAD_CAPACITY_DBM0, dbm0ToAmplitude } from './audio-level.js';
import { DIAL_TONE_FREQUENCIES_HZ } from './dial-tone.js';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, digitAt, type DtmfDigit } from './dtmf-tones.js';
import { spanKernel, type SpanKernel } from './dtmf-span-kernel.js';

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
 *
 * The arithmetic per block (notches, energy, Goertzel bank, windows, the
 * span test with its leakage removal and frequency-corrected levels) runs in
 * the WebAssembly kernel (dsp/assembly/dtmf-span-kernel.ts, through
 * dsp/dtmf-span-kernel.ts); this class derives its constants, feeds it, and
 * turns its verdicts into digits.
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
  /** The verdicts of the kernel's last run, copied (a digit's callback may run another detector). */
  readonly #verdictDigit: Int32Array;
  readonly #verdictLow: Float64Array;
  readonly #verdictHigh: Float64Array;
  readonly #verdictPurity: Float64Array;

  readonly #minHits: number;
  readonly #minToneSamples: number;
  readonly #maxMisses: number;
  readonly #meanToneToTotal: number;

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
    this.#meanToneToTotal = dbToPower(o.minMeanToneToTotalDb);
    this.#minHits = o.minHits;
    this.#minToneSamples = (o.minToneMs * DTMF_SAMPLE_RATE) / 1000;
    this.#maxMisses = o.maxMisses;
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
    const blocks = this.#kernel.chunkBlocks;
    this.#verdictDigit = new Int32Array(blocks);
    this.#verdictLow = new Float64Array(blocks);
    this.#verdictHigh = new Float64Array(blocks);
    this.#verdictPurity = new Float64Array(blocks);
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
    if (this.#state === DtmfReceiverState.Active) this.#emit(this.#current, out);
    this.#toIdle();
    return out;
  }

  /** Forgets all state and restarts the time base at 0. */
  reset(): void {
    this.#fill = 0;
    this.#blocks = 0;
    this.#kernel.reset(this.#image);
    this.#toIdle();
  }

  /** Runs whole blocks through the kernel and advances the receiver by each block's decision. */
  #run(samples: Samples, start: number, count: number, out: DetectedDigit[]): void {
    const kernel = this.#kernel;
    kernel.run(this.#image, samples, start, count);
    const blocks = count / DTMF_BLOCK;
    this.#verdictDigit.set(kernel.verdictDigit.subarray(0, blocks));
    this.#verdictLow.set(kernel.verdictLow.subarray(0, blocks));
    this.#verdictHigh.set(kernel.verdictHigh.subarray(0, blocks));
    this.#verdictPurity.set(kernel.verdictPurity.subarray(0, blocks));
    const first = this.#blocks;
    // The span of blocks b−3 … b decides at block b; the first three blocks end no span.
    for (let j = 0; j < blocks; j++) {
      this.#blocks = first + j + 1;
      if (first + j < 3) continue;
      const hit = this.#verdictDigit[j];
      if (hit !== NO_DIGIT) {
        this.#hit.digit = hit;
        this.#hit.low = this.#verdictLow[j];
        this.#hit.high = this.#verdictHigh[j];
        this.#hit.purity = this.#verdictPurity[j];
      }
      this.#advance(hit, first + j - 3, out);
    }
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
