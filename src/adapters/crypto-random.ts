import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../../core/random-source.js';

/** The operating system's CSPRNG, for nonces of real runs (lab, fleet). */
export const cryptoRandom: RandomSource = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
};
