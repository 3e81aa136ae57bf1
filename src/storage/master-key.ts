import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ioReason } from '../io-reason.js';
import { createFileAtomic } from './atomic-file.js';
import { ensureDirectory } from './ensure-directory.js';

/**
 * The centre's master key: device keys are stored only sealed under it
 * (spec §5.3, "device keys encrypted at rest under a master key"), so the
 * database alone — a backup, a dump, a portal process — reveals no key.
 *
 * Where it comes from, first match wins:
 * 1. the environment variable HICOM_MASTER_KEY: 32 bytes in base64;
 * 2. the file `<state dir>/centre/master.key` (base64, one line), created
 *    on first use with mode 0600 and refused when others can read it.
 * The key never goes into the database (only a check value, to tell a wrong
 * key from a damaged row) and never into a log.
 */
export const MASTER_KEY_ENV = 'HICOM_MASTER_KEY';
export const MASTER_KEY_BYTES = 32;
/** AES-256-GCM (NIST SP 800-38D): 96-bit nonce, 128-bit tag. */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of a sealed value: the format, so a later one can change cipher or layout. */
const SEALED_FORMAT = 1;

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export function masterKeyPath(stateDir: string): string {
  return join(stateDir, 'centre', 'master.key');
}

export class MasterKey {
  /** Where the key came from, for messages: the file path or the variable's name. */
  readonly source: string;
  readonly #key: Buffer;

  private constructor(key: Buffer, source: string) {
    this.#key = key;
    this.source = source;
  }

  /** From the environment if set there, else from (or newly into) the state directory's file. */
  static load(stateDir: string, env: NodeJS.ProcessEnv = process.env): MasterKey {
    const fromEnv = env[MASTER_KEY_ENV];
    if (fromEnv !== undefined) return new MasterKey(decodeKey(fromEnv, MASTER_KEY_ENV), MASTER_KEY_ENV);
    return MasterKey.fromFile(masterKeyPath(stateDir));
  }

  static fromFile(path: string): MasterKey {
    ensureDirectory(dirname(path), 0o700);
    try {
      createFileAtomic(path, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new MasterKeyError(`cannot create master key file ${path}: ${ioReason(err)}`);
    }
    let text: string;
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) throw new MasterKeyError(`master key file ${path} is readable by others (mode ${mode.toString(8)}): chmod 600 ${path}`);
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (err instanceof MasterKeyError) throw err;
      throw new MasterKeyError(`cannot read master key file ${path}: ${ioReason(err)}`);
    }
    return new MasterKey(decodeKey(text, path), path);
  }

  /** Seal `plain` so that it opens only with this key and the same `context` (e.g. the device id). */
  seal(plain: Buffer, context: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.of(SEALED_FORMAT), nonce, body, cipher.getAuthTag()]);
  }

  /** Throws MasterKeyError when the value was sealed under another key or context, or is damaged. */
  open(sealed: Buffer, context: string): Buffer {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== SEALED_FORMAT) throw new MasterKeyError(`sealed value for ${context} is damaged (format ${sealed[0]}, ${sealed.length} bytes)`);
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new MasterKeyError(`sealed value for ${context} does not open with the master key from ${this.source} (another master key, or damaged)`);
    }
  }

  /** A value that identifies the key without revealing it (HMAC of a fixed label), stored beside what it sealed. */
  checkValue(): string {
    return createHmac('sha256', this.#key).update('hicom-sim master key check').digest('base64').slice(0, 22);
  }
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`master key from ${source} is not ${MASTER_KEY_BYTES} bytes in base64 (make one with: openssl rand -base64 ${MASTER_KEY_BYTES})`);
  }
  return key;
}
