import { Parser } from 'binary-parser';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parsePbxType, type PbxType } from './pbx-type.js';

/**
 * An APS (system software) image as the PBX receives it in an `aps load`
 * (docs/aps-image.md):
 *
 *   offset size  field
 *   0      8     magic "HICOMAPS"
 *   8      2     format version (1), big-endian
 *   10     2     header length (128), big-endian
 *   12     24    APS version, ASCII, NUL-padded ("HE300M.00.001.01")
 *   36     16    target PBX type, ASCII, NUL-padded ("OfficePro")
 *   52     4     body length, big-endian
 *   56     32    SHA-256 of the body
 *   88     32    HMAC-SHA-256 over bytes 0 … 87 with APS_LAB_KEY
 *   120    8     reserved, zero
 *   128    n     body
 *
 * The HMAC is a lab stand-in for the vendor's signature: the key is public
 * (below), so it proves only that the image was made by a tool that follows
 * this format, not who made it.
 */
export const APS_MAGIC = 'HICOMAPS';
export const APS_FORMAT_VERSION = 1;
export const APS_HEADER_SIZE = 128;
const SIGNED_BYTES = 88;
/** The documented lab signing key (docs/aps-image.md). Not a secret. */
export const APS_LAB_KEY = Buffer.from('hicom-sim lab APS signing key v1', 'utf8');
/** Version strings as the seed writes them: HE300M.00.001.01. */
export const APS_VERSION_PATTERN = /^[A-Z0-9]{2,8}\.\d{2}\.\d{3}\.\d{2}$/;

export interface ApsHeader {
  version: string;
  type: PbxType;
  bodyLength: number;
}

const headerParser = new Parser()
  .endianness('big')
  .string('magic', { length: 8, encoding: 'latin1' })
  .uint16('formatVersion')
  .uint16('headerLength')
  .string('version', { length: 24, encoding: 'latin1', stripNull: true })
  .string('type', { length: 16, encoding: 'latin1', stripNull: true })
  .uint32('bodyLength')
  .buffer('sha256', { length: 32 })
  .buffer('hmac', { length: 32 });

interface RawHeader {
  magic: string;
  formatVersion: number;
  headerLength: number;
  version: string;
  type: string;
  bodyLength: number;
  sha256: Buffer;
  hmac: Buffer;
}

export function buildApsImage(options: { version: string; type: PbxType; body: Uint8Array; key?: Uint8Array }): Buffer {
  if (!APS_VERSION_PATTERN.test(options.version)) throw new Error(`"${options.version}" is not an APS version like HE300M.00.001.01`);
  const out = Buffer.alloc(APS_HEADER_SIZE + options.body.length);
  out.write(APS_MAGIC, 0, 'latin1');
  out.writeUInt16BE(APS_FORMAT_VERSION, 8);
  out.writeUInt16BE(APS_HEADER_SIZE, 10);
  out.write(options.version, 12, 24, 'latin1');
  out.write(options.type, 36, 16, 'latin1');
  out.writeUInt32BE(options.body.length, 52);
  createHash('sha256').update(options.body).digest().copy(out, 56);
  createHmac('sha256', options.key ?? APS_LAB_KEY).update(out.subarray(0, SIGNED_BYTES)).digest().copy(out, SIGNED_BYTES);
  out.set(options.body, APS_HEADER_SIZE);
  return out;
}

export type ApsCheck = { ok: true; header: ApsHeader } | { ok: false; error: string };

/**
 * Everything the PBX checks before it stores an image, in the order a
 * technician can act on: format, signature, completeness, checksum, then
 * whether it is for this PBX type.
 */
export function verifyApsImage(image: Uint8Array, expectedType?: PbxType): ApsCheck {
  const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (buf.length < APS_HEADER_SIZE) return { ok: false, error: `not an APS image: ${buf.length} bytes, the header alone has ${APS_HEADER_SIZE}` };
  const h = headerParser.parse(buf) as RawHeader;
  if (h.magic !== APS_MAGIC) return { ok: false, error: 'not an APS image (bad magic)' };
  if (h.formatVersion !== APS_FORMAT_VERSION) return { ok: false, error: `APS image format ${h.formatVersion} is not supported (this PBX knows format ${APS_FORMAT_VERSION})` };
  if (h.headerLength !== APS_HEADER_SIZE) return { ok: false, error: `APS image header is damaged: header length ${h.headerLength}, format ${APS_FORMAT_VERSION} has ${APS_HEADER_SIZE}` };
  const mac = createHmac('sha256', APS_LAB_KEY).update(buf.subarray(0, SIGNED_BYTES)).digest();
  if (!timingSafeEqual(mac, h.hmac)) return { ok: false, error: 'APS image signature is not valid' };
  if (buf.length !== APS_HEADER_SIZE + h.bodyLength) return { ok: false, error: `APS image length mismatch: header says ${h.bodyLength} bytes of body, got ${buf.length - APS_HEADER_SIZE}` };
  const sha = createHash('sha256').update(buf.subarray(APS_HEADER_SIZE)).digest();
  if (!sha.equals(h.sha256)) return { ok: false, error: 'APS image checksum mismatch (corrupt image)' };
  const type = parsePbxType(h.type);
  if (!type) return { ok: false, error: `APS image for unknown PBX type "${h.type}"` };
  if (!APS_VERSION_PATTERN.test(h.version)) return { ok: false, error: `APS image has no valid version ("${h.version}")` };
  if (expectedType !== undefined && type !== expectedType) return { ok: false, error: `the APS image is for ${type}; this PBX is ${expectedType}` };
  return { ok: true, header: { version: h.version, type, bodyLength: h.bodyLength } };
}
