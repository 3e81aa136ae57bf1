import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/**
 * A secret the firmware must be able to use again (the LAN option's device
 * key), kept encrypted under the PBX's own 32-byte box key — the key a real
 * PBX has in its hardware — instead of hashed. Stored as
 * `sealed$<nonce base64>$<ciphertext and tag base64>` (AES-256-GCM), so a KDS
 * image or state file carries it only sealed, and a sealed value copied
 * into another PBX opens nothing there.
 */
const PREFIX = 'sealed$';
/** AES-256: the box key's length in bytes. */
export const BOX_KEY_BYTES = 32;

/**
 * Fresh bytes for box keys, drawn from the CSPRNG a few kilobytes at a time:
 * a fleet builds a PBX every ~70 µs, and one call into the CSPRNG per PBX
 * cost ~2–5 µs of it where a slice of a filled pool costs a tenth of that.
 * A slice is copied out and wiped at once, so no key stays in the pool.
 */
const KEY_POOL = Buffer.alloc(128 * BOX_KEY_BYTES);
let keyPoolUsed = KEY_POOL.length;

/** A new box key for a PBX that has none (a first start, or a state saved without one). */
export function freshBoxKey(): Buffer {
  if (keyPoolUsed === KEY_POOL.length) {
    randomFillSync(KEY_POOL);
    keyPoolUsed = 0;
  }
  const key = Buffer.from(KEY_POOL.subarray(keyPoolUsed, keyPoolUsed + BOX_KEY_BYTES));
  KEY_POOL.fill(0, keyPoolUsed, keyPoolUsed + BOX_KEY_BYTES);
  keyPoolUsed += BOX_KEY_BYTES;
  return key;
}

export function isSealed(value: string): boolean {
  return /^sealed\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]+={0,2}$/.test(value);
}

export function sealSecret(secret: string, boxKey: Uint8Array): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', boxKey, nonce);
  const ct = Buffer.concat([c.update(secret, 'utf8'), c.final(), c.getAuthTag()]);
  return `${PREFIX}${nonce.toString('base64')}$${ct.toString('base64')}`;
}

/** The secret, or undefined if `stored` is not sealed under this box key. */
export function openSealed(stored: string, boxKey: Uint8Array): string | undefined {
  if (!isSealed(stored)) return undefined;
  const [, nonce, body] = stored.split('$');
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < 16) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', boxKey, Buffer.from(nonce, 'base64'));
    d.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([d.update(bytes.subarray(0, bytes.length - 16)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
