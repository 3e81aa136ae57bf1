import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Circle } from '../../firmware-sim/circles.js';
import type { KdsImage } from '../../firmware-sim/kds.js';
import { verifySecret } from '../../firmware-sim/secret-hash.js';
import type { UserRecord } from '../../firmware-sim/user-table.js';
import { ioReason } from '../io-reason.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * A KDS saved to disk (spec §3.7, §4.10): the whole KDS plus the user table
 * (names, circles, scrypt hashes), encrypted with AES-256-GCM under a key
 * derived with scrypt from the saving user's password. docs/kds-file.md.
 *
 *   offset size field
 *   0      4    magic "HKDS"
 *   4      1    version (1)
 *   5      1    KDF (1 = scrypt)
 *   6      1    log2(N)
 *   7      1    r
 *   8      1    p
 *   9      16   salt
 *   25     12   GCM nonce
 *   37     4    ciphertext length, big-endian
 *   41     n    ciphertext (UTF-8 JSON, KdsFileContent)
 *   41+n   16   GCM tag
 * Bytes 0–40 are the GCM additional data, so the header cannot be changed
 * either. Any change anywhere makes opening fail.
 */
export interface KdsFileContent {
  format: 'hicom-kds-file';
  version: 1;
  savedBy: string;
  savedAt: number;
  image: KdsImage;
  users: UserRecord[];
}

export class KdsFileError extends Error {
  override name = 'KdsFileError';

  /** `wrongCredentials`: the file did not open with this name and password (or was altered: AES-GCM cannot tell which). */
  constructor(
    message: string,
    readonly wrongCredentials = false,
  ) {
    super(message);
  }
}

const MAGIC = 'HKDS';
const HEADER = 41;
const TAG = 16;
/** scrypt N = 2^15 for a file key: opened rarely, worth a stronger setting than a login. */
const FILE_LOG2N = 15;
const R = 8;
const P = 1;

function deriveKey(password: string, salt: Buffer, log2n: number, r: number, p: number): Buffer {
  const N = 2 ** log2n;
  return scryptSync(password.normalize('NFC'), salt, 32, { N, r, p, maxmem: 256 * N * r });
}

export function encryptKdsFile(content: KdsFileContent, password: string, log2n = FILE_LOG2N): Buffer {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const plain = Buffer.from(JSON.stringify(content), 'utf8');
  const header = Buffer.alloc(HEADER);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt8(1, 4);
  header.writeUInt8(1, 5);
  header.writeUInt8(log2n, 6);
  header.writeUInt8(R, 7);
  header.writeUInt8(P, 8);
  salt.copy(header, 9);
  nonce.copy(header, 25);
  header.writeUInt32BE(plain.length, 37);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(password, salt, log2n, R, P), nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

export function decryptKdsFile(data: Buffer, password: string): KdsFileContent {
  if (data.length < HEADER + TAG || data.toString('latin1', 0, 4) !== MAGIC) throw new KdsFileError('not a hicom-sim KDS file');
  if (data.readUInt8(4) !== 1 || data.readUInt8(5) !== 1) throw new KdsFileError(`unsupported KDS file version ${data.readUInt8(4)}`);
  const log2n = data.readUInt8(6);
  const r = data.readUInt8(7);
  const p = data.readUInt8(8);
  if (log2n < 10 || log2n > 20 || r < 1 || r > 16 || p < 1 || p > 4) throw new KdsFileError('KDS file header is damaged');
  const length = data.readUInt32BE(37);
  if (data.length !== HEADER + length + TAG) throw new KdsFileError(`KDS file is truncated or has extra bytes (${data.length} bytes, header says ${HEADER + length + TAG})`);
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(password, data.subarray(9, 25), log2n, r, p), data.subarray(25, 37));
  decipher.setAAD(data.subarray(0, HEADER));
  decipher.setAuthTag(data.subarray(HEADER + length));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(HEADER, HEADER + length)), decipher.final()]);
  } catch {
    throw new KdsFileError('wrong password, or the file was changed after it was saved', true);
  }
  const content = JSON.parse(plain.toString('utf8')) as KdsFileContent;
  if (content.format !== 'hicom-kds-file' || content.version !== 1) throw new KdsFileError('not a hicom-sim KDS file of version 1');
  return content;
}

export function saveKdsFile(path: string, content: KdsFileContent, password: string, log2n = FILE_LOG2N): void {
  writeFileAtomic(path, encryptKdsFile(content, password, log2n));
}

export interface OpenedKds {
  content: KdsFileContent;
  user: UserRecord;
  circle: Circle | undefined;
}

/**
 * Open a KDS file as `name`: the password must decrypt it and match that
 * name in the saved user table; the saved table then decides the rights.
 */
export function openKdsFile(path: string, name: string, password: string): OpenedKds {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new KdsFileError(`cannot read ${path}: ${ioReason(err)}`);
  }
  const content = decryptKdsFile(data, password);
  const user = content.users.find((u) => u.name.toUpperCase() === name.toUpperCase());
  if (!user || !verifySecret(password, user.passwordHash)) throw new KdsFileError(`user ${name} is not in the file's user table with this password`, true);
  return { content, user, circle: user.circle };
}
