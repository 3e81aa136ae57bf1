import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../../core/random-source.js';

/** Bytes fetched from the CSPRNG at once: one call per ~340 nonces instead of one per nonce (each call costs microseconds). */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let used = 0;

/** The operating system's CSPRNG, for nonces of real runs (lab, fleet); drawn from a pool, each byte handed out once. */
export const cryptoRandom: RandomSource = {
  bytes: (length) => {
    if (length > POOL_BYTES) return new Uint8Array(randomBytes(length));
    if (used + length > POOL_BYTES) {
      pool = randomBytes(POOL_BYTES);
      used = 0;
    }
    // A view, not a copy: the pool is never written again (a new one replaces it), so these bytes are the caller's alone.
    const out = pool.subarray(used, used + length);
    used += length;
    return out;
  },
};
