import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Salted scrypt hashes for passwords, PINs and access codes (spec §4.10).
 * Stored as `scrypt$N$r$p$salt$hash` (base64) so the cost can be raised
 * later without breaking old tables.
 *
 * N = 2^14, r = 8, p = 1 is the interactive-login setting recommended by
 * the scrypt paper; tests may lower N through the PBX options.
 */
export const SCRYPT_DEFAULT_COST = 1 << 14;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

export function hashSecret(secret: string, cost = SCRYPT_DEFAULT_COST): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret.normalize('NFC'), salt, KEY_LENGTH, { N: cost, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * cost * SCRYPT_R });
  return `scrypt$${cost}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** The parts of a stored hash, or undefined when it is not one of ours (so an asynchronous checker elsewhere reads the same format). */
export function secretHashParams(stored: string | null | undefined): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  if (!stored) return undefined;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, saltB64, hashB64] = parts;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!Number.isInteger(N) || !Number.isInteger(R) || !Number.isInteger(P) || N < 2) return undefined;
  return { N, r: R, p: P, salt: Buffer.from(saltB64, 'base64'), hash: Buffer.from(hashB64, 'base64') };
}

export function verifySecret(secret: string, stored: string | null | undefined): boolean {
  const h = secretHashParams(stored);
  if (!h) return false;
  const actual = scryptSync(secret.normalize('NFC'), h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r });
  return h.hash.length === actual.length && timingSafeEqual(h.hash, actual);
}

export function isSecretHash(value: string): boolean {
  return value.startsWith('scrypt$');
}
