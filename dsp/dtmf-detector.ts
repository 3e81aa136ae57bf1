import { ALAW_LOAD_CAPACITY_DBM0, dbm0ToAmplitude } from './audio-level.js';
import { DIAL_TONE_FREQUENCIES_HZ } from './audio-channel.js';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, digitAt, type DtmfDigit } from './dtmf-tones.js';
import { GoertzelBank } from './goertzel.js';

/** The detector runs on the telephone-band sampling rate of G.711 §2 (8000 samples/s). */
export const DTMF_SAMPLE_RATE = 8000;
/**
 * Half block of 51 samples (6.375 ms). Two halves make the classic 102-sample
 * analysis window (12.75 ms, spandsp's block size) whose 78.4 Hz bin spacing
 * puts neighbouring DTMF frequencies near the window's spectral nulls.
 */
export const DTMF_HALF_BLOCK = 51;
export const DTMF_WINDOW = 2 * DTMF_HALF_BLOCK;
/** One decision looks at two overlapping windows, i.e. three halves (19.1 ms). */
export const DTMF_SPAN = 3 * DTMF_HALF_BLOCK;

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
   * The two tones must hold at least this share of the total in-band power, in dB
   * (default −1.5 dB ≈ 71 %): rejects speech and music (talk-off), harmonics and noise.
   */
  minToneToTotalDb?: number;
  /** Each tone's power may change by at most this many dB between the two windows of a span (default 2). */
  maxLevelStepDb?: number;
  /** Consecutive hits (every 6.375 ms) needed to accept a digit (default 3: ≥ 34.5 ms accepted, < 28 ms rejected). */
  minHits?: number;
  /** Consecutive misses that end a digit (default 7: dropouts up to ~22 ms are bridged, Q.24 asks 10 ms). */
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
 * Digit state machine, advanced once per half block:
 *
 * ```text
 *   Idle ──hit d──▶ Pending(d, 1) ──hit d … (minHits in a row)──▶ Active(d)
 *   Pending(d) ──miss──▶ Idle          Pending(d) ──hit e≠d──▶ Pending(e, 1)
 *   Active(d) ──hit d──▶ Active(d)     (miss counter cleared: dropouts are bridged)
 *   Active(d) ──miss × maxMisses──▶ Idle, d reported
 *   Active(d) ──hit e≠d × minHits──▶ d reported, Active(e)
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

/**
 * Streaming DTMF receiver after ITU-T Q.24. Feed 8 kHz audio in blocks of any
 * size; each digit is returned (and passed to `onDigit`) once, when it ends.
 *
 * Every 51 samples a Goertzel bank yields the complex spectrum of the last half
 * block at the eight Q.23 frequencies. Two overlapping 102-sample windows are
 * formed from the last three halves; the phase advance between them measures
 * each tone's frequency (unambiguous to ±78 Hz), which gives a sharp ±1.5 % /
 * ±3.5 % boundary and lets the level be corrected for off-bin loss. A span is a
 * hit when: both tones are above the level threshold, within the twist limits,
 * within the frequency tolerance, each ≥ 8 dB above its group's other
 * frequencies, steady across the two windows, and holding most of the total
 * power (everything else — harmonics, speech formants, noise — counts against them).
 */
export class DtmfDetector {
  /** Called with each digit as it is reported (in addition to the return values). */
  onDigit: ((digit: DetectedDigit) => void) | undefined;

  readonly #bank = new GoertzelBank(FREQUENCIES, DTMF_SAMPLE_RATE, DTMF_HALF_BLOCK);
  readonly #half = new Float64Array(DTMF_HALF_BLOCK);
  #fill = 0;
  /** Complex spectra and energies of the last three halves (ring of 3). */
  readonly #re = new Float64Array(3 * 8);
  readonly #im = new Float64Array(3 * 8);
  readonly #energy = new Float64Array(3);
  #halves = 0;

  readonly #notches: Biquad[];
  #z = new Float64Array(4);
  readonly #rotRe = new Float64Array(8);
  readonly #rotIm = new Float64Array(8);
  readonly #gainCorrection = new Float64Array(8);
  /** k = Σ e^(j2π(f_row−f_col)n/fs) over one window, per row·4+column. */
  readonly #crossRe = new Float64Array(16);
  readonly #crossIm = new Float64Array(16);

  readonly #minAmplitude: number;
  readonly #normalTwist: number;
  readonly #reverseTwist: number;
  readonly #maxDeviation: number;
  readonly #relativePeak: number;
  readonly #toneToTotal: number;
  readonly #levelStep: number;
  readonly #minHits: number;
  readonly #maxMisses: number;

  #state = DtmfReceiverState.Idle;
  #digit = NO_DIGIT;
  #hits = 0;
  #misses = 0;
  #firstHalf = 0;
  #lastHalf = 0;
  #other = NO_DIGIT;
  #otherHits = 0;
  #otherFirstHalf = 0;
  #sumLow = 0;
  #sumHigh = 0;
  #sumCount = 0;
  #otherLow = 0;
  #otherHigh = 0;
  /** Amplitudes of the last hit, for the level sums. */
  #hitLow = 0;
  #hitHigh = 0;

  constructor(options: DtmfDetectorOptions = {}) {
    const o = {
      minLevelDbm0: -40,
      maxNormalTwistDb: 9,
      maxReverseTwistDb: 5,
      maxFrequencyDeviation: 0.025,
      minRelativePeakDb: 8,
      minToneToTotalDb: -1.5,
      maxLevelStepDb: 2,
      minHits: 3,
      maxMisses: 7,
      filterDialTone: true,
      ...options,
    };
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`DtmfDetector: option ${k} must be a finite number`);
    }
    if (!Number.isInteger(o.minHits) || o.minHits < 1) throw new RangeError('DtmfDetector: minHits must be an integer ≥ 1');
    if (!Number.isInteger(o.maxMisses) || o.maxMisses < 1) throw new RangeError('DtmfDetector: maxMisses must be an integer ≥ 1');
    this.#minAmplitude = dbm0ToAmplitude(o.minLevelDbm0);
    this.#normalTwist = dbToPower(o.maxNormalTwistDb);
    this.#reverseTwist = dbToPower(o.maxReverseTwistDb);
    this.#maxDeviation = o.maxFrequencyDeviation;
    this.#relativePeak = dbToPower(o.minRelativePeakDb);
    this.#toneToTotal = dbToPower(o.minToneToTotalDb);
    this.#levelStep = dbToPower(o.maxLevelStepDb);
    this.#minHits = o.minHits;
    this.#maxMisses = o.maxMisses;
    this.#notches = o.filterDialTone ? DIAL_TONE_FREQUENCIES_HZ.map(notch) : [];
    FREQUENCIES.forEach((f, k) => {
      const w = (2 * Math.PI * f * DTMF_HALF_BLOCK) / DTMF_SAMPLE_RATE;
      this.#rotRe[k] = Math.cos(w);
      this.#rotIm[k] = -Math.sin(w);
      this.#gainCorrection[k] = 1 / this.#notches.reduce((g, q) => g * notchGain(q, f), 1);
    });
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        const w = (2 * Math.PI * (DTMF_ROW_FREQUENCIES_HZ[r] - DTMF_COLUMN_FREQUENCIES_HZ[c])) / DTMF_SAMPLE_RATE;
        let re = 0;
        let im = 0;
        for (let i = 0; i < DTMF_WINDOW; i++) {
          re += Math.cos(w * i);
          im += Math.sin(w * i);
        }
        this.#crossRe[r * 4 + c] = re;
        this.#crossIm[r * 4 + c] = im;
      }
    }
  }

  get state(): DtmfReceiverState {
    return this.#state;
  }

  /** Samples consumed so far (the time base of `startMs`/`endMs`). */
  get samplesProcessed(): number {
    return this.#halves * DTMF_HALF_BLOCK + this.#fill;
  }

  /**
   * Feeds 8 kHz audio: Int16Array is 16-bit linear, float arrays are ±1 full
   * scale. Returns the digits that ended within this block.
   */
  process(samples: Int16Array | Float32Array | Float64Array | readonly number[]): DetectedDigit[] {
    const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
    const out: DetectedDigit[] = [];
    const half = this.#half;
    const [n1, n2] = this.#notches;
    const z = this.#z;
    let fill = this.#fill;
    for (let i = 0; i < samples.length; i++) {
      let v = samples[i] * scale;
      if (n1 !== undefined) {
        // Direct form II, two cascaded notches (350 Hz, 440 Hz).
        const w1 = v - n1.a1 * z[0] - n1.a2 * z[1];
        v = w1 + n1.b1 * z[0] + z[1];
        z[1] = z[0];
        z[0] = w1;
        const w2 = v - n2.a1 * z[2] - n2.a2 * z[3];
        v = w2 + n2.b1 * z[2] + z[3];
        z[3] = z[2];
        z[2] = w2;
      }
      half[fill++] = v;
      if (fill === DTMF_HALF_BLOCK) {
        fill = 0;
        this.#fill = 0;
        this.#endOfHalf(out);
      }
    }
    this.#fill = fill;
    // Denormals from decaying filter state would slow the loop to a crawl.
    for (let k = 0; k < 4; k++) if (Math.abs(z[k]) < 1e-30) z[k] = 0;
    return out;
  }

  /** Reports the digit in progress now (end of call / file) instead of waiting for the hangover. */
  flush(): DetectedDigit[] {
    const out: DetectedDigit[] = [];
    if (this.#state === DtmfReceiverState.Active) this.#emit(out);
    this.#toIdle();
    return out;
  }

  /** Forgets all state and restarts the time base at 0. */
  reset(): void {
    this.#fill = 0;
    this.#halves = 0;
    this.#z.fill(0);
    this.#toIdle();
  }

  #endOfHalf(out: DetectedDigit[]): void {
    const slot = this.#halves % 3;
    this.#bank.analyse(this.#half, 0);
    let e = 0;
    for (let i = 0; i < DTMF_HALF_BLOCK; i++) e += this.#half[i] * this.#half[i];
    this.#energy[slot] = e;
    this.#re.set(this.#bank.re, slot * 8);
    this.#im.set(this.#bank.im, slot * 8);
    this.#halves++;
    if (this.#halves < 3) return;
    const first = this.#halves - 3;
    this.#advance(this.#classify(first), first, out);
  }

  /** Digit index (row·4 + column) if the span starting at half `first` is a valid DTMF signal, else NO_DIGIT. */
  #classify(first: number): number {
    const a = (first % 3) * 8;
    const b = ((first + 1) % 3) * 8;
    const c = ((first + 2) % 3) * 8;
    const total = this.#energy[0] + this.#energy[1] + this.#energy[2];
    const minA = this.#minAmplitude;
    // Silence fast path: the span cannot hold two tones at the minimum level.
    if (total < minA * minA * DTMF_SPAN * 0.5) return NO_DIGIT;
    const power = this.#power;
    for (let k = 0; k < 8; k++) {
      const rr = this.#rotRe[k];
      const ri = this.#rotIm[k];
      // X1 = A + rot·B (window over halves a,b); X2 = B + rot·C (halves b,c).
      const x1r = this.#re[a + k] + rr * this.#re[b + k] - ri * this.#im[b + k];
      const x1i = this.#im[a + k] + rr * this.#im[b + k] + ri * this.#re[b + k];
      const x2r = this.#re[b + k] + rr * this.#re[c + k] - ri * this.#im[c + k];
      const x2i = this.#im[b + k] + rr * this.#im[c + k] + ri * this.#re[c + k];
      this.#x1r[k] = x1r;
      this.#x1i[k] = x1i;
      this.#x2r[k] = x2r;
      this.#x2i[k] = x2i;
      power[k] = x1r * x1r + x1i * x1i + x2r * x2r + x2i * x2i;
    }
    let row = 0;
    for (let k = 1; k < 4; k++) if (power[k] > power[row]) row = k;
    let col = 4;
    for (let k = 5; k < 8; k++) if (power[k] > power[col]) col = k;
    for (let k = 0; k < 8; k++) {
      if (k !== row && k !== col && power[k] * this.#relativePeak > power[k < 4 ? row : col]) return NO_DIGIT;
    }
    this.#unmix(row, col);
    const low = this.#toneAmplitude(row);
    if (low < minA) return NO_DIGIT;
    const high = this.#toneAmplitude(col);
    if (high < minA) return NO_DIGIT;
    // Q.23 chose the frequencies so that no column is a harmonic of a row: a
    // column at twice the row's measured frequency is one voice or instrument.
    if (Math.abs(this.#measured[col] - 2 * this.#measured[row]) < OCTAVE_TOLERANCE * this.#measured[col]) return NO_DIGIT;
    const lowPower = low * low;
    const highPower = high * high;
    if (lowPower > highPower * this.#normalTwist || highPower > lowPower * this.#reverseTwist) return NO_DIGIT;
    // Tone power (A²/2 each) against the mean power of the span.
    if ((lowPower + highPower) * 0.5 < (this.#toneToTotal * total) / DTMF_SPAN) return NO_DIGIT;
    this.#hitLow = low;
    this.#hitHigh = high;
    return row * 4 + (col - 4);
  }

  readonly #power = new Float64Array(8);
  /** Frequencies of the best row and column as measured from the phase advance. */
  readonly #measured = new Float64Array(8);
  readonly #x1r = new Float64Array(8);
  readonly #x1i = new Float64Array(8);
  readonly #x2r = new Float64Array(8);
  readonly #x2i = new Float64Array(8);

  /**
   * Removes each tone's spectral leakage from the other's bin. With a 102-sample
   * rectangular window a tone leaks about −21 dB into a bin 268 Hz away; under
   * 8 dB twist that beats against the weaker tone by ±2 dB and skews its level.
   * Modelling the window as two complex exponentials at the nominal frequencies,
   *   X_r = N·α_r + conj(k)·α_c,   X_c = k·α_r + N·α_c,   k = Σ e^(j2π(f_r−f_c)n/fs),
   * and solving for α gives each tone alone; X is replaced by N·α.
   */
  #unmix(row: number, col: number): void {
    const kr = this.#crossRe[row * 4 + col - 4];
    const ki = this.#crossIm[row * 4 + col - 4];
    const n = DTMF_WINDOW;
    const scale = n / (n * n - kr * kr - ki * ki);
    for (const [xr, xi] of [
      [this.#x1r, this.#x1i],
      [this.#x2r, this.#x2i],
    ]) {
      const rr = xr[row];
      const ri = xi[row];
      const cr = xr[col];
      const ci = xi[col];
      // α_r = (N·X_r − conj(k)·X_c)/det,  α_c = (N·X_c − k·X_r)/det
      xr[row] = scale * (n * rr - (kr * cr + ki * ci));
      xi[row] = scale * (n * ri - (kr * ci - ki * cr));
      xr[col] = scale * (n * cr - (kr * rr - ki * ri));
      xi[col] = scale * (n * ci - (kr * ri + ki * rr));
    }
  }

  /**
   * Peak amplitude of tone `k` corrected for its measured frequency offset, or 0
   * when the tone is off frequency or not steady across the two windows.
   */
  #toneAmplitude(k: number): number {
    const x1r = this.#x1r[k];
    const x1i = this.#x1i[k];
    const x2r = this.#x2r[k];
    const x2i = this.#x2i[k];
    const p1 = x1r * x1r + x1i * x1i;
    const p2 = x2r * x2r + x2i * x2i;
    if (p1 > p2 * this.#levelStep || p2 > p1 * this.#levelStep) return 0;
    // Phase advance of window 2 over window 1 (51 samples later), minus the nominal one.
    const f0 = FREQUENCIES[k];
    let dphi = Math.atan2(x2i * x1r - x2r * x1i, x2r * x1r + x2i * x1i) - (2 * Math.PI * f0 * DTMF_HALF_BLOCK) / DTMF_SAMPLE_RATE;
    dphi -= 2 * Math.PI * Math.round(dphi / (2 * Math.PI));
    const df = (dphi * DTMF_SAMPLE_RATE) / (2 * Math.PI * DTMF_HALF_BLOCK);
    if (Math.abs(df) > this.#maxDeviation * f0) return 0;
    this.#measured[k] = f0 + df;
    // |X| of a sine of amplitude A, δ Hz off the analysis frequency: (A/2)·|sin(πδN/fs)/sin(πδ/fs)|.
    const x = (Math.PI * df) / DTMF_SAMPLE_RATE;
    const kernel = Math.abs(x) < 1e-9 ? DTMF_WINDOW : Math.abs(Math.sin(x * DTMF_WINDOW) / Math.sin(x));
    return ((Math.sqrt(p1) + Math.sqrt(p2)) / kernel) * this.#gainCorrection[k];
  }

  #advance(hit: number, first: number, out: DetectedDigit[]): void {
    switch (this.#state) {
      case DtmfReceiverState.Idle:
        if (hit !== NO_DIGIT) this.#startPending(hit, first);
        return;
      case DtmfReceiverState.Pending:
        if (hit === NO_DIGIT) {
          this.#toIdle();
        } else if (hit !== this.#digit) {
          this.#startPending(hit, first);
        } else {
          this.#addHit(first);
          if (this.#hits >= this.#minHits) this.#state = DtmfReceiverState.Active;
        }
        return;
      case DtmfReceiverState.Active:
        if (hit === this.#digit) {
          this.#addHit(first);
          this.#other = NO_DIGIT;
          return;
        }
        this.#misses++;
        if (hit === NO_DIGIT) {
          this.#other = NO_DIGIT;
        } else if (hit === this.#other) {
          this.#otherHits++;
          this.#otherLow += this.#hitLow;
          this.#otherHigh += this.#hitHigh;
        } else {
          this.#other = hit;
          this.#otherHits = 1;
          this.#otherFirstHalf = first;
          this.#otherLow = this.#hitLow;
          this.#otherHigh = this.#hitHigh;
        }
        if (this.#other !== NO_DIGIT && this.#otherHits >= this.#minHits) {
          this.#emit(out);
          const { low, high, hits } = { low: this.#otherLow, high: this.#otherHigh, hits: this.#otherHits };
          this.#digit = this.#other;
          this.#firstHalf = this.#otherFirstHalf;
          this.#lastHalf = first;
          this.#hits = hits;
          this.#misses = 0;
          this.#sumLow = low;
          this.#sumHigh = high;
          this.#sumCount = hits;
          this.#other = NO_DIGIT;
        } else if (this.#misses >= this.#maxMisses) {
          this.#emit(out);
          this.#toIdle();
        }
        return;
    }
  }

  #startPending(hit: number, first: number): void {
    this.#state = DtmfReceiverState.Pending;
    this.#digit = hit;
    this.#hits = 0;
    this.#sumLow = 0;
    this.#sumHigh = 0;
    this.#sumCount = 0;
    this.#firstHalf = first;
    this.#addHit(first);
  }

  #addHit(first: number): void {
    this.#hits++;
    this.#misses = 0;
    this.#lastHalf = first;
    this.#sumLow += this.#hitLow;
    this.#sumHigh += this.#hitHigh;
    this.#sumCount++;
  }

  #toIdle(): void {
    this.#state = DtmfReceiverState.Idle;
    this.#digit = NO_DIGIT;
    this.#other = NO_DIGIT;
    this.#hits = 0;
    this.#misses = 0;
  }

  #emit(out: DetectedDigit[]): void {
    const low = this.#sumLow / this.#sumCount;
    const high = this.#sumHigh / this.#sumCount;
    const lowDbm0 = 20 * Math.log10(low) + ALAW_LOAD_CAPACITY_DBM0;
    const highDbm0 = 20 * Math.log10(high) + ALAW_LOAD_CAPACITY_DBM0;
    const levelDbm0 = 10 * Math.log10(10 ** (lowDbm0 / 10) + 10 ** (highDbm0 / 10));
    const digit: DetectedDigit = {
      digit: digitAt(this.#digit >> 2, this.#digit & 3),
      startMs: (this.#firstHalf * DTMF_HALF_BLOCK * 1000) / DTMF_SAMPLE_RATE,
      endMs: ((this.#lastHalf * DTMF_HALF_BLOCK + DTMF_SPAN) * 1000) / DTMF_SAMPLE_RATE,
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
