import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SCRYPT_DEFAULT_COST, secretHashParams } from '../../firmware-sim/secret-hash.js';

/**
 * Portal passwords as salted scrypt hashes in the same `scrypt$N$r$p$salt$hash`
 * format as everything else (spec §4.10), but computed off the event loop
 * (node's scrypt runs in the thread pool), so a login does not stall the
 * live streams of everyone else.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
const KEY_LENGTH = 32;
const R = 8;
const P = 1;

function scryptAsync(secret: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, cost = SCRYPT_DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, { N: cost, r: R, p: P, maxmem: 256 * cost * R });
  return `scrypt$${cost}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = secretHashParams(stored);
  if (!h) return false;
  const actual = await scryptAsync(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r });
  return actual.length === h.hash.length && timingSafeEqual(actual, h.hash);
}

/** What makes a password acceptable; undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `a password needs at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `a password has at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
