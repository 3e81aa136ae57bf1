/**
 * A bank of Goertzel filters that yields the complex DFT value of a fixed-length
 * block at arbitrary (non-bin) frequencies. Complex output (not just power) is
 * what lets the DTMF detector combine half blocks into overlapping windows and
 * estimate each tone's frequency from the phase advance between them.
 */
export class GoertzelBank {
  /** Real part of X(f) = Σ x[n]·e^(−j2πfn/fs), n = 0 … blockLength−1, per frequency. */
  readonly re: Float64Array;
  /** Imaginary part of X(f), per frequency. */
  readonly im: Float64Array;
  readonly #coeff: Float64Array;
  readonly #cosW: Float64Array;
  readonly #sinW: Float64Array;
  readonly #rotRe: Float64Array;
  readonly #rotIm: Float64Array;

  constructor(
    readonly frequencies: readonly number[],
    readonly sampleRate: number,
    readonly blockLength: number,
  ) {
    if (!(sampleRate > 0) || !Number.isInteger(blockLength) || blockLength < 2) {
      throw new RangeError(`GoertzelBank: bad sample rate ${sampleRate} or block length ${blockLength}`);
    }
    const n = frequencies.length;
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    this.#coeff = new Float64Array(n);
    this.#cosW = new Float64Array(n);
    this.#sinW = new Float64Array(n);
    this.#rotRe = new Float64Array(n);
    this.#rotIm = new Float64Array(n);
    frequencies.forEach((f, i) => {
      const w = (2 * Math.PI * f) / sampleRate;
      this.#coeff[i] = 2 * Math.cos(w);
      this.#cosW[i] = Math.cos(w);
      this.#sinW[i] = Math.sin(w);
      // The recursion ends referenced to the last sample; rotate back to n = 0.
      this.#rotRe[i] = Math.cos(w * (blockLength - 1));
      this.#rotIm[i] = -Math.sin(w * (blockLength - 1));
    });
  }

  /** Analyses `blockLength` samples of `x` from `start`; results land in `re`/`im`. */
  analyse(x: ArrayLike<number>, start = 0): void {
    const len = this.blockLength;
    if (start < 0 || start + len > x.length) {
      throw new RangeError(`GoertzelBank: block ${start}+${len} outside ${x.length} samples`);
    }
    for (let k = 0; k < this.#coeff.length; k++) {
      const c = this.#coeff[k];
      let s1 = 0;
      let s2 = 0;
      for (let i = start, end = start + len; i < end; i++) {
        const s0 = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      // y = s1 − e^(−jw)·s2 = Σ x[n]·e^(jw(N−1−n)); multiply by e^(−jw(N−1)).
      const yr = s1 - this.#cosW[k] * s2;
      const yi = this.#sinW[k] * s2;
      this.re[k] = yr * this.#rotRe[k] - yi * this.#rotIm[k];
      this.im[k] = yr * this.#rotIm[k] + yi * this.#rotRe[k];
    }
  }

  /** |X(f)|² of frequency index `k` from the last `analyse`. */
  power(k: number): number {
    return this.re[k] * this.re[k] + this.im[k] * this.im[k];
  }
}
