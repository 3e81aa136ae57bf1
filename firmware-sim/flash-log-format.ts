/**
 * Byte layout of the flash protocol log (docs/flash-log.md is the reference;
 * keep the two in step). Encoding is hand-written for speed; reading uses
 * binary-parser so the layout is declared once as data.
 */
// The package's "exports" hide its typings from NodeNext; its CJS build carries them.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { crc32 } from 'node:zlib';

/** "HCLG" — Hicom log block. */
export const BLOCK_MAGIC = 0x48434c47;
export const LAYOUT_VERSION = 1;
export const BLOCK_HEADER_SIZE = 64;
/** Value of an erased NOR byte. */
export const ERASED = 0xff;
/** Commit byte of a finished record: programmed last, after the CRC, so a torn record never reads as committed. */
export const COMMIT = 0x5a;

export enum RecordType {
  /** A protocol-log entry as appended by the firmware. */
  Entry = 1,
  /** Archive mark: entries up to `seq` are archived and deleted; body = SHA-256 of the last one. */
  Mark = 2,
  /** Overwrite marker: entries `from`..`to` were erased unarchived; shown as an entry itself. */
  Gap = 3,
}

export const RECORD_HEAD_SIZE = 20;
/** CRC-32 (4) + commit byte (1). */
export const RECORD_TAIL_SIZE = 5;
export const MAX_USER_BYTES = 255;

export interface BlockHeader {
  /** Wrap-safe (serial-number arithmetic, RFC 1982) generation of the block. */
  blockSeq: number;
  /** Sequence number the first record of this block got (the next seq when the block was started). */
  firstSeq: number;
  /** Archive mark carried forward, so mounting needs only the newest block. 0 = none. */
  markSeq: number;
  markHash: Uint8Array;
  /** Highest seq recorded as overwritten unarchived (by a Gap record). */
  lostUpTo: number;
}

export interface FlashRecord {
  type: RecordType;
  format: number;
  seq: number;
  time: number;
  circle: string;
  user: string;
  body: Uint8Array;
}

const blockHeaderParser = new Parser()
  .endianess('little')
  .uint32('magic')
  .uint16('version')
  .uint16('headerSize')
  .uint32('blockSeq')
  .uint32('firstSeq')
  .uint32('markSeq')
  .uint32('lostUpTo')
  .buffer('markHash', { length: 32 })
  .uint32('flags')
  .uint32('crc');

const recordParser = new Parser()
  .endianess('little')
  .uint16('length')
  .uint8('type')
  .uint8('format')
  .uint32('seq')
  .doublele('time')
  .uint8('circle')
  .uint8('userLength')
  .uint16('bodyLength')
  .string('user', { length: 'userLength', encoding: 'utf8' })
  .buffer('body', { length: 'bodyLength' })
  .uint32('crc')
  .uint8('commit');

interface ParsedRecord {
  length: number; type: number; format: number; seq: number; time: number; circle: number;
  userLength: number; bodyLength: number; user: string; body: Buffer; crc: number; commit: number;
}

export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(BLOCK_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, BLOCK_MAGIC, true);
  v.setUint16(4, LAYOUT_VERSION, true);
  v.setUint16(6, BLOCK_HEADER_SIZE, true);
  v.setUint32(8, h.blockSeq, true);
  v.setUint32(12, h.firstSeq, true);
  v.setUint32(16, h.markSeq, true);
  v.setUint32(20, h.lostUpTo, true);
  out.set(h.markHash.subarray(0, 32), 24);
  v.setUint32(56, 0, true);
  v.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

/** 'erased' when the header bytes are all 0xFF, 'corrupt' when they are anything but a valid header. */
export function parseBlockHeader(bytes: Uint8Array): BlockHeader | 'erased' | 'corrupt' {
  if (bytes.every((b) => b === ERASED)) return 'erased';
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (crc32(buf.subarray(0, 60)) !== buf.readUInt32LE(60)) return 'corrupt';
  const p = blockHeaderParser.parse(buf) as { magic: number; version: number; headerSize: number; blockSeq: number; firstSeq: number; markSeq: number; lostUpTo: number; markHash: Buffer };
  if (p.magic !== BLOCK_MAGIC || p.version !== LAYOUT_VERSION || p.headerSize !== BLOCK_HEADER_SIZE) return 'corrupt';
  return { blockSeq: p.blockSeq, firstSeq: p.firstSeq, markSeq: p.markSeq, lostUpTo: p.lostUpTo, markHash: new Uint8Array(p.markHash) };
}

/**
 * Encode with the commit byte still erased (0xFF); the caller programs COMMIT
 * at `length - 1` last. `body` may be given as a string (UTF-8) so the hot
 * append path encodes text once, straight into the record.
 */
export function encodeRecord(r: Omit<FlashRecord, 'body'> & { body: Uint8Array | string }): Buffer {
  const userLength = Buffer.byteLength(r.user);
  const bodyLength = typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length;
  const length = RECORD_HEAD_SIZE + userLength + bodyLength + RECORD_TAIL_SIZE;
  const out = Buffer.allocUnsafe(length);
  out.writeUInt16LE(length, 0);
  out[2] = r.type;
  out[3] = r.format;
  out.writeUInt32LE(r.seq, 4);
  out.writeDoubleLE(r.time, 8);
  out[16] = r.circle.charCodeAt(0);
  out[17] = userLength;
  out.writeUInt16LE(bodyLength, 18);
  out.write(r.user, RECORD_HEAD_SIZE, 'utf8');
  if (typeof r.body === 'string') out.write(r.body, RECORD_HEAD_SIZE + userLength, 'utf8');
  else out.set(r.body, RECORD_HEAD_SIZE + userLength);
  out.writeUInt32LE(crc32(out.subarray(0, length - 5)), length - 5);
  out[length - 1] = ERASED;
  return out;
}

export type RecordScan =
  | { kind: 'free' }
  | { kind: 'torn' }
  | { kind: 'record'; length: number; committed: boolean; record: FlashRecord };

/**
 * Look at the record starting at `pos` of `block` (a whole block's bytes).
 * 'free': erased space, the block's append point. 'torn': anything that is
 * not a whole record with a good CRC — the rest of the block is unusable.
 */
export function scanRecord(block: Buffer, pos: number): RecordScan {
  if (pos + 2 > block.length) return { kind: 'torn' };
  const length = block.readUInt16LE(pos);
  if (length === 0xffff) return { kind: 'free' };
  const min = RECORD_HEAD_SIZE + RECORD_TAIL_SIZE;
  if (length < min || pos + length > block.length) return { kind: 'torn' };
  const bytes = block.subarray(pos, pos + length);
  if (crc32(bytes.subarray(0, length - 5)) !== bytes.readUInt32LE(length - 5)) return { kind: 'torn' };
  const p = recordParser.parse(bytes) as ParsedRecord;
  if (RECORD_HEAD_SIZE + p.userLength + p.bodyLength + RECORD_TAIL_SIZE !== length) return { kind: 'torn' };
  if (p.commit !== COMMIT && p.commit !== ERASED) return { kind: 'torn' };
  return {
    kind: 'record',
    length,
    committed: p.commit === COMMIT,
    record: { type: p.type, format: p.format, seq: p.seq, time: p.time, circle: String.fromCharCode(p.circle), user: p.user, body: new Uint8Array(p.body) },
  };
}
