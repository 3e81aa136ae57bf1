/**
 * The byte layout the key depot's flash stores share (docs/key-depot.md §5
 * is the reference). An area is a run of erase blocks; every block starts
 * with a 16-byte header, then records packed back to back. All integers
 * little-endian, as on the PBX's FMC (docs/flash-log.md).
 *
 * A record is programmed whole with its commit byte still erased, then the
 * commit byte alone (`programRecord`): only a record with a good CRC *and*
 * the commit byte counts, so a power cut at any byte never shows a torn
 * record — the lesson of the protocol log, in a layout of its own because
 * the depot's records carry a kind and a sequence number, not log fields.
 */
import { crc32 } from 'node:zlib';
import type { FlashDevice } from '../../core/flash-device.js';

export const AREA_HEADER_SIZE = 16;
export const ERASED = 0xff;
/** Commit byte of a finished record (the FMC log's value). */
export const COMMIT = 0x5a;
/** length (2) + kind (1) + seq (4). */
export const RECORD_HEAD_SIZE = 7;
/** CRC-32 (4) + commit byte (1). */
export const RECORD_TAIL_SIZE = 5;
export const RECORD_OVERHEAD = RECORD_HEAD_SIZE + RECORD_TAIL_SIZE;

export enum DepotRecordKind {
  /** A queued event; seq = the event's seq, payload = its JSON. */
  Event = 1,
  /** Events the centre acknowledged; payload = their seqs, u32 each. */
  Ack = 2,
  /** A snapshot of settings; seq = its version, payload = the snapshot. */
  Snapshot = 3,
}

export interface AreaHeader {
  /** Generation of the block (RFC 1982 serial arithmetic). */
  generation: number;
  /** Queue: the next event seq when the block was started. Snapshots: 0. */
  base: number;
}

export interface DepotRecord {
  kind: DepotRecordKind;
  seq: number;
  payload: Uint8Array;
}

export type RecordScan =
  | { kind: 'free' }
  | { kind: 'torn' }
  | { kind: 'record'; length: number; committed: boolean; record: DepotRecord };

export function encodeAreaHeader(magic: number, h: AreaHeader): Uint8Array {
  const out = new Uint8Array(AREA_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, true);
  v.setUint32(4, h.generation, true);
  v.setUint32(8, h.base, true);
  v.setUint32(12, crc32(out.subarray(0, 12)), true);
  return out;
}

/** 'erased' for an all-0xFF header, 'corrupt' for anything else that is not a valid header of `magic`. */
export function parseAreaHeader(bytes: Uint8Array, magic: number): AreaHeader | 'erased' | 'corrupt' {
  if (bytes.every((b) => b === ERASED)) return 'erased';
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (crc32(bytes.subarray(0, 12)) !== v.getUint32(12, true) || v.getUint32(0, true) !== magic) return 'corrupt';
  return { generation: v.getUint32(4, true), base: v.getUint32(8, true) };
}

/** A record with its commit byte still erased; `programRecord` commits it. */
export function encodeRecord(kind: DepotRecordKind, seq: number, payload: Uint8Array): Uint8Array {
  const length = RECORD_OVERHEAD + payload.length;
  if (length > 0xfffe) throw new RangeError(`record of ${length} bytes is over the 16-bit length`);
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  v.setUint16(0, length, true);
  out[2] = kind;
  v.setUint32(3, seq, true);
  out.set(payload, RECORD_HEAD_SIZE);
  v.setUint32(length - 5, crc32(out.subarray(0, length - 5)), true);
  out[length - 1] = ERASED;
  return out;
}

/** Program a record and then its commit byte; durable when this returns. */
export function programRecord(dev: FlashDevice, at: number, record: Uint8Array): void {
  dev.program(at, record);
  dev.program(at + record.length - 1, Uint8Array.of(COMMIT));
}

/** The record at `pos` of `block` (a whole block's bytes). 'torn': the rest of the block is unusable. */
export function scanRecord(block: Uint8Array, pos: number): RecordScan {
  if (pos + 2 > block.length) return { kind: 'torn' };
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const length = v.getUint16(pos, true);
  if (length === 0xffff) return { kind: 'free' };
  if (length < RECORD_OVERHEAD || pos + length > block.length) return { kind: 'torn' };
  if (crc32(block.subarray(pos, pos + length - 5)) !== v.getUint32(pos + length - 5, true)) return { kind: 'torn' };
  const kind = block[pos + 2];
  const commit = block[pos + length - 1];
  if ((commit !== COMMIT && commit !== ERASED) || !(kind in DepotRecordKind)) return { kind: 'torn' };
  return {
    kind: 'record',
    length,
    committed: commit === COMMIT,
    record: { kind, seq: v.getUint32(pos + 3, true), payload: block.slice(pos + RECORD_HEAD_SIZE, pos + length - 5) },
  };
}

/**
 * Walk the committed records of one block from after its header; stops at
 * free space, a torn record or when `visit` returns false. Returns where it
 * stopped and whether that is free space (the block's append point).
 */
export function scanBlock(block: Uint8Array, visit: (r: DepotRecord) => boolean | void): { pos: number; free: boolean } {
  let pos = AREA_HEADER_SIZE;
  while (pos < block.length) {
    const s = scanRecord(block, pos);
    if (s.kind === 'free') return { pos, free: true };
    if (s.kind === 'torn') return { pos, free: false };
    pos += s.length;
    if (s.committed && visit(s.record) === false) return { pos, free: false };
  }
  return { pos, free: false };
}
