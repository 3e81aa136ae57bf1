import type { RandomSource } from './random-source.js';

/**
 * Deterministic pseudo-random numbers (mulberry32) so noise-based tests and
 * generated corpora give the same samples on every run and machine.
 */
export class SeededRandom implements RandomSource {
  #state: number;
  #spareGaussian: number | undefined;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** `length` pseudo-random bytes (a deterministic nonce source for simulations, see RandomSource). */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** Standard normal (Box–Muller, both values used). */
  gaussian(): number {
    if (this.#spareGaussian !== undefined) {
      const v = this.#spareGaussian;
      this.#spareGaussian = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.#spareGaussian = r * Math.sin(a);
    return r * Math.cos(a);
  }
}
