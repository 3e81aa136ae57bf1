/**
 * A bank of Goertzel filters that yields the complex DFT value of a fixed-length
 * block at arbitrary (non-bin) frequencies. Complex output (not just power) is
 * what lets the DTMF detector combine blocks into overlapping windows and
 * estimate each tone's frequency from the phase advance between them.
 *
 * Results are referenced to the block's **last** sample:
 * `Y(f) = Σ x[n]·e^(j2πf(L−1−n)/fs)`, n = 0 … L−1. That is the value the recursion
 * ends with, so no rotation is spent per block; a consumer that combines blocks
 * folds the reference into its own constants (dtmf-detector.ts does).
 *
 * Speed: each Goertzel recursion is a chain of dependent multiply-adds, so
 * running one filter after the other waits on the floating-point latency. The
 * bank runs four filters side by side over the block (independent chains the
 * CPU overlaps) and keeps their state in locals, which fit the registers.
 */
export class GoertzelBank {
  readonly #coeff: Float64Array;
  readonly #cosW: Float64Array;
  readonly #sinW: Float64Array;
  readonly #s1: Float64Array;
  readonly #s2: Float64Array;

  constructor(
    readonly frequencies: readonly number[],
    readonly sampleRate: number,
    readonly blockLength: number,
  ) {
    if (!(sampleRate > 0) || !Number.isInteger(blockLength) || blockLength < 2) {
      throw new RangeError(`GoertzelBank: bad sample rate ${sampleRate} or block length ${blockLength}`);
    }
    // Padded to a multiple of four so the four-wide loop needs no remainder case.
    const n = frequencies.length;
    const padded = Math.ceil(n / 4) * 4;
    this.#coeff = new Float64Array(padded);
    this.#cosW = new Float64Array(n);
    this.#sinW = new Float64Array(n);
    this.#s1 = new Float64Array(padded);
    this.#s2 = new Float64Array(padded);
    frequencies.forEach((f, i) => {
      const w = (2 * Math.PI * f) / sampleRate;
      this.#coeff[i] = 2 * Math.cos(w);
      this.#cosW[i] = Math.cos(w);
      this.#sinW[i] = Math.sin(w);
    });
  }

  /**
   * Analyses `blockLength` samples of `x` from `start`; Y(f) of frequency k
   * lands in `re[at + k]`, `im[at + k]` (written in place: a consumer keeping
   * a ring of blocks gives its slot, and no copy is made per block).
   */
  analyse(x: Float64Array, start: number, re: Float64Array, im: Float64Array, at: number): void {
    const len = this.blockLength;
    const n = this.frequencies.length;
    if (start < 0 || start + len > x.length) {
      throw new RangeError(`GoertzelBank: block ${start}+${len} outside ${x.length} samples`);
    }
    if (at < 0 || at + n > re.length || at + n > im.length) {
      throw new RangeError(`GoertzelBank: results ${at}+${n} outside ${Math.min(re.length, im.length)} slots`);
    }
    const coeff = this.#coeff;
    const s1 = this.#s1;
    const s2 = this.#s2;
    const end = start + len;
    for (let k = 0; k < coeff.length; k += 4) {
      const c0 = coeff[k];
      const c1 = coeff[k + 1];
      const c2 = coeff[k + 2];
      const c3 = coeff[k + 3];
      let a0 = 0;
      let b0 = 0;
      let a1 = 0;
      let b1 = 0;
      let a2 = 0;
      let b2 = 0;
      let a3 = 0;
      let b3 = 0;
      for (let i = start; i < end; i++) {
        const v = x[i];
        const t0 = v + c0 * a0 - b0;
        const t1 = v + c1 * a1 - b1;
        const t2 = v + c2 * a2 - b2;
        const t3 = v + c3 * a3 - b3;
        b0 = a0;
        a0 = t0;
        b1 = a1;
        a1 = t1;
        b2 = a2;
        a2 = t2;
        b3 = a3;
        a3 = t3;
      }
      s1[k] = a0;
      s2[k] = b0;
      s1[k + 1] = a1;
      s2[k + 1] = b1;
      s1[k + 2] = a2;
      s2[k + 2] = b2;
      s1[k + 3] = a3;
      s2[k + 3] = b3;
    }
    // y = s1 − e^(−jw)·s2 = Σ x[n]·e^(jw(L−1−n)).
    for (let k = 0; k < n; k++) {
      re[at + k] = s1[k] - this.#cosW[k] * s2[k];
      im[at + k] = this.#sinW[k] * s2[k];
    }
  }
}
