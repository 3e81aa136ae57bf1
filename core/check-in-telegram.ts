/**
 * The check-in telegram of spec §5.2, byte for byte: one UDP datagram of at
 * most 1,200 bytes, a clear header, then the AES-256-GCM ciphertext of a
 * UTF-8 JSON body and its 16-byte tag. docs/check-in-telegram.md is the
 * reference for other teams; keep the two in step (a test decodes its
 * worked example).
 *
 * ```
 * offset  size  field
 * 0       4     magic "HST1"
 * 4       1     type: 0x01 check-in, 0x81 ack, 0x82 nak
 * 5       1     n = length of the device id (1–32)
 * 6       n     device id, ASCII [A-Za-z0-9._-]
 * 6+n     4     counter (u32, big-endian)
 * 10+n    4     time (u32, Unix seconds, big-endian)
 * 14+n    12    nonce
 * 26+n    …     ciphertext, then 16-byte tag; AAD = bytes 0 … 25+n
 * ```
 *
 * Pure: the nonce is the caller's (a device injects its RandomSource), and
 * decoding never throws on any input — every way a datagram can be wrong
 * is a typed `TelegramReject`. The header is read by hand rather than with
 * binary-parser: it is eight fields, every one is range-checked anyway, and
 * this is the intake's hot path.
 */
import { isUtf8 } from 'node:buffer';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  isU32, parseAckBody, parseCheckInBody, parseNakBody,
  type AckBody, type CheckInBody, type NakBody, type Parsed,
} from './check-in-body.js';

/** Spec §5.2: magic `HST1`. */
export const TELEGRAM_MAGIC = Uint8Array.of(0x48, 0x53, 0x54, 0x31);
/** Spec §5.2: "One UDP datagram (at most 1,200 bytes)". */
export const MAX_TELEGRAM_BYTES = 1200;
/** Spec §5.2: each device has its own 32-byte key (AES-256). */
export const KEY_BYTES = 32;
/** Spec §5.2: 12-byte nonce, the GCM standard IV length (NIST SP 800-38D §8.2). */
export const NONCE_BYTES = 12;
/** Spec §5.2: 16-byte tag. */
export const TAG_BYTES = 16;
export const MAX_ID_LENGTH = 32;
/** Spec §5.2: device id characters. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
/** magic + type + n + counter + time + nonce. */
export const FIXED_HEADER_BYTES = 4 + 1 + 1 + 4 + 4 + NONCE_BYTES;

/** Type byte per telegram kind (spec §5.2). */
export const TYPE_CODES = { 'check-in': 0x01, ack: 0x81, nak: 0x82 } as const;
export type TelegramType = keyof typeof TYPE_CODES;
const TYPE_OF_CODE = new Map<number, TelegramType>(Object.entries(TYPE_CODES).map(([k, v]) => [v, k as TelegramType]));

/** Bytes of the clear header (the AAD) for a device id of `idLength` characters. */
export function headerBytes(idLength: number): number {
  return FIXED_HEADER_BYTES + idLength;
}

/** The most UTF-8 body bytes a telegram for `deviceId` can carry. */
export function maxBodyBytes(deviceId: string): number {
  return MAX_TELEGRAM_BYTES - headerBytes(deviceId.length) - TAG_BYTES;
}

export interface TelegramHeader {
  type: TelegramType;
  deviceId: string;
  counter: number;
  /** Unix seconds of the sender's clock. */
  time: number;
  /** A view into the datagram read (`readTelegramHeader`): copy it before the datagram's bytes are reused. */
  nonce: Uint8Array;
}

export type Telegram =
  | (TelegramHeader & { type: 'check-in'; body: CheckInBody })
  | (TelegramHeader & { type: 'ack'; body: AckBody })
  | (TelegramHeader & { type: 'nak'; body: NakBody });

/**
 * Why a datagram is not a telegram. The first five need no key and carry
 * no `deviceId` (`namedDeviceId` reads the one a header names anyway); from
 * `unknown-device` on, `deviceId` is the header's (what the centre counts
 * rejects under).
 */
export type RejectReason =
  | 'oversized' | 'truncated' | 'bad-magic' | 'bad-type' | 'bad-id'
  | 'unknown-device' | 'bad-tag' | 'bad-body';

export type TelegramReject =
  | { ok: false; reason: 'oversized' | 'truncated' | 'bad-magic' | 'bad-type' | 'bad-id'; detail: string }
  | { ok: false; reason: 'unknown-device' | 'bad-tag' | 'bad-body'; deviceId: string; type: TelegramType; detail: string };

/** The three reject classes of spec §5.2 (each counted per device id and reason, none answered). */
export function rejectClass(reason: RejectReason): 'malformed' | 'unknown-device' | 'bad-tag' {
  return reason === 'unknown-device' || reason === 'bad-tag' ? reason : 'malformed';
}

/** A clear header that read well, with the length of the AAD it ends. */
export interface TelegramHead {
  ok: true;
  header: TelegramHeader;
  aadLength: number;
}

export type HeaderResult = TelegramHead | TelegramReject;
export type TelegramResult = { ok: true; telegram: Telegram; /** the decrypted body bytes, as the centre keeps them */ plaintext: Uint8Array } | TelegramReject;

export class TelegramEncodeError extends Error {
  override name = 'TelegramEncodeError';
}

const reject = (reason: 'oversized' | 'truncated' | 'bad-magic' | 'bad-type' | 'bad-id', detail: string): TelegramReject => ({ ok: false, reason, detail });

/** Read the clear header without a key: what the intake needs to look the key up. */
export function readTelegramHeader(datagram: Uint8Array): HeaderResult {
  const len = datagram.length;
  if (len > MAX_TELEGRAM_BYTES) return reject('oversized', `${len} bytes, at most ${MAX_TELEGRAM_BYTES}`);
  if (len < 6) return reject('truncated', `${len} bytes, not even a header`);
  for (let i = 0; i < 4; i++) if (datagram[i] !== TELEGRAM_MAGIC[i]) return reject('bad-magic', 'does not start with "HST1"');
  const type = TYPE_OF_CODE.get(datagram[4]);
  if (type === undefined) return reject('bad-type', `type byte 0x${datagram[4].toString(16).padStart(2, '0')}`);
  const n = datagram[5];
  if (n < 1 || n > MAX_ID_LENGTH) return reject('bad-id', `id length ${n}, must be 1–${MAX_ID_LENGTH}`);
  const aadLength = headerBytes(n);
  if (len < aadLength + TAG_BYTES) return reject('truncated', `${len} bytes, a header with a ${n}-character id and a tag need ${aadLength + TAG_BYTES}`);
  const deviceId = readDeviceId(datagram, n);
  if (typeof deviceId === 'number') return reject('bad-id', `id byte 0x${datagram[deviceId].toString(16).padStart(2, '0')} at offset ${deviceId} is not [A-Za-z0-9._-]`);
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const counter = view.getUint32(6 + n, false);
  const time = view.getUint32(10 + n, false);
  // A view, not a copy (a copy was an ArrayBuffer of its own per datagram for the GC): the nonce is read at once by the open.
  const nonce = datagram.subarray(14 + n, 26 + n);
  return { ok: true, header: { type, deviceId, counter, time, nonce }, aadLength };
}

/** The id at bytes 6 … 5+n, or the offset of its first byte outside [A-Za-z0-9._-]. */
function readDeviceId(datagram: Uint8Array, n: number): string | number {
  let deviceId = '';
  for (let i = 6; i < 6 + n; i++) {
    const c = datagram[i];
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x2d;
    if (!ok) return i;
    deviceId += String.fromCharCode(c);
  }
  return deviceId;
}

/**
 * The device id a datagram that is not a telegram still names: the magic
 * `HST1`, then (whatever the type byte) an id length of 1–32 and that many
 * id characters — '' when it names none. Spec §5.2 counts a malformed
 * datagram "per device id": one too long, cut short or of an unknown type
 * is counted under the id its header names, so a device sending them shows
 * as rejecting rather than offline. Like a bad tag's id, it is only what
 * the sender claims.
 */
export function namedDeviceId(datagram: Uint8Array): string {
  if (datagram.length < 6) return '';
  for (let i = 0; i < 4; i++) if (datagram[i] !== TELEGRAM_MAGIC[i]) return '';
  const n = datagram[5];
  if (n < 1 || n > MAX_ID_LENGTH || datagram.length < 6 + n) return '';
  const id = readDeviceId(datagram, n);
  return typeof id === 'string' ? id : '';
}

function parseBody(type: TelegramType, counter: number, time: number, json: unknown): Parsed<CheckInBody | AckBody | NakBody> {
  if (type === 'check-in') return parseCheckInBody(json, time);
  if (type === 'ack') return parseAckBody(json, counter);
  return parseNakBody(json, counter);
}

/**
 * Decrypt and check a whole telegram with `key` (the key of the header's
 * device id). Checks in the order of docs/check-in-telegram.md §4.
 */
export function openTelegram(datagram: Uint8Array, key: Uint8Array): TelegramResult {
  const head = readTelegramHeader(datagram);
  if (!head.ok) return head;
  return openAfterHeader(datagram, head, key);
}

/**
 * The intake's entry: header, then the key by id (`undefined` = unknown
 * device), then tag and body.
 */
export function decodeTelegram(datagram: Uint8Array, keyOf: (deviceId: string) => Uint8Array | undefined): TelegramResult {
  const head = readTelegramHeader(datagram);
  if (!head.ok) return head;
  const { header } = head;
  const key = keyOf(header.deviceId);
  if (key === undefined) return { ok: false, reason: 'unknown-device', deviceId: header.deviceId, type: header.type, detail: `no key for device ${header.deviceId}` };
  return openAfterHeader(datagram, head, key);
}

/**
 * `openTelegram` for a datagram whose header `readTelegramHeader` has read
 * already (the intake reads it first to find the key): tag and body.
 */
export function openAfterHeader(datagram: Uint8Array, head: TelegramHead, key: Uint8Array): TelegramResult {
  const { header, aadLength } = head;
  const who = { deviceId: header.deviceId, type: header.type };
  if (key.length !== KEY_BYTES) return { ok: false, reason: 'bad-tag', ...who, detail: `key has ${key.length} bytes, not ${KEY_BYTES}` };
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(datagram.subarray(0, aadLength));
    decipher.setAuthTag(datagram.subarray(datagram.length - TAG_BYTES));
    // GCM is a stream mode: update() returns the whole plaintext; final() only checks the tag.
    plaintext = decipher.update(datagram.subarray(aadLength, datagram.length - TAG_BYTES));
    decipher.final();
  } catch {
    return { ok: false, reason: 'bad-tag', ...who, detail: 'authentication tag does not verify (wrong key, or bytes changed)' };
  }
  // isUtf8 is the strict check (no lone surrogates, no overlongs) that a fatal TextDecoder does, at native speed.
  if (!isUtf8(plaintext)) return { ok: false, reason: 'bad-body', ...who, detail: 'body is not valid UTF-8' };
  let json: unknown;
  try {
    json = JSON.parse(plaintext.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'bad-body', ...who, detail: `body is not JSON: ${(err as Error).message}` };
  }
  const body = parseBody(header.type, header.counter, header.time, json);
  if (!body.ok) return { ok: false, reason: 'bad-body', ...who, detail: body.error };
  return { ok: true, telegram: { ...header, body: body.value } as Telegram, plaintext };
}

export interface SealInput {
  type: TelegramType;
  deviceId: string;
  counter: number;
  time: number;
}

/**
 * Build a datagram around already-encoded body bytes. Throws
 * TelegramEncodeError for a field outside the contract or a result over
 * 1,200 bytes: the sender is our own code, and a wrong telegram must not
 * leave it. (Tests use this with bodies `encodeTelegram` would refuse.)
 */
export function sealTelegram(input: SealInput, body: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const { type, deviceId, counter, time } = input;
  if (!(type in TYPE_CODES)) throw new TelegramEncodeError(`unknown telegram type ${String(type)}`);
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw new TelegramEncodeError(`device id ${JSON.stringify(deviceId)} is not 1–32 of [A-Za-z0-9._-]`);
  if (!isU32(counter)) throw new TelegramEncodeError(`counter ${counter} is not a u32`);
  if (!isU32(time)) throw new TelegramEncodeError(`time ${time} is not a u32 of Unix seconds`);
  if (key.length !== KEY_BYTES) throw new TelegramEncodeError(`key has ${key.length} bytes, not ${KEY_BYTES}`);
  if (nonce.length !== NONCE_BYTES) throw new TelegramEncodeError(`nonce has ${nonce.length} bytes, not ${NONCE_BYTES}`);
  const n = deviceId.length;
  const aadLength = headerBytes(n);
  const total = aadLength + body.length + TAG_BYTES;
  if (total > MAX_TELEGRAM_BYTES) throw new TelegramEncodeError(`telegram of ${total} bytes is over ${MAX_TELEGRAM_BYTES} (body ${body.length}, at most ${maxBodyBytes(deviceId)} for this id)`);
  // From Node's pool (every byte is written below): a fresh zeroed ArrayBuffer per telegram was a backing store per ack for the GC to account for.
  const out = Buffer.allocUnsafe(total);
  out.set(TELEGRAM_MAGIC, 0);
  out[4] = TYPE_CODES[type];
  out[5] = n;
  for (let i = 0; i < n; i++) out[6 + i] = deviceId.charCodeAt(i);
  out.writeUInt32BE(counter, 6 + n);
  out.writeUInt32BE(time, 10 + n);
  out.set(nonce, 14 + n);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(out.subarray(0, aadLength));
  // GCM is a stream mode: update() returns all the ciphertext, final() nothing but the tag.
  out.set(cipher.update(body), aadLength);
  cipher.final();
  out.set(cipher.getAuthTag(), aadLength + body.length);
  return out;
}

export type TelegramInput =
  | (SealInput & { type: 'check-in'; body: CheckInBody })
  | (SealInput & { type: 'ack'; body: AckBody })
  | (SealInput & { type: 'nak'; body: NakBody });

/** Encode a telegram: JSON body, then `sealTelegram`. */
export function encodeTelegram(input: TelegramInput, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (input.type !== 'check-in' && input.body.counter !== input.counter) throw new TelegramEncodeError(`body counter ${input.body.counter} does not echo the header's ${input.counter}`);
  return sealTelegram(input, Buffer.from(JSON.stringify(input.body), 'utf8'), key, nonce);
}

/** UTF-8 length of a body as `encodeTelegram` would write it (for packing events up to `maxBodyBytes`). */
export function bodyBytes(body: CheckInBody | AckBody | NakBody): number {
  return Buffer.byteLength(JSON.stringify(body));
}
