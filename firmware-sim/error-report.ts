import { crc32 } from 'node:zlib';
import type { ErrorClass, ErrorRecord } from './error-history.js';
import { PbxType, pbxTypeRank } from './pbx-type.js';

/**
 * The binary error report of spec §3.4 ("header + error data in binary; the
 * header has a unique id of the sending PBX"), format version 1. The byte
 * layout is the contract in `docs/error-report.md`; this encoder and
 * `src/centre/report-decoder.ts` are its two implementations.
 *
 * All integers are big-endian (network order, as on the wire of the era);
 * strings are UTF-8, length-prefixed, never NUL-terminated.
 */

/** "HCER" — Hicom Error Report. */
export const REPORT_MAGIC = Buffer.from('HCER', 'ascii');
export const REPORT_FORMAT_VERSION = 1;
/** Fixed size of the system-id field; shorter ids are padded with 0x00. */
export const SYSTEM_ID_BYTES = 16;
/** Bytes from the magic up to (excluding) the APS version string. */
export const REPORT_FIXED_HEADER_BYTES = 41;
export const REPORT_CRC_BYTES = 4;
/** Upper bound of a whole report, so a receiver can refuse absurd lengths early. */
export const MAX_REPORT_BYTES = 1 << 20;
export const MAX_APS_VERSION_BYTES = 32;
export const MAX_LOCATION_BYTES = 255;
export const MAX_TEXT_BYTES = 1024;
export const MAX_RECORDS = 65_535;
/** Record flag bit 0: the function-test pseudo error of spec §3.4. */
export const RECORD_FLAG_PSEUDO = 0x01;
/**
 * System ids become file names at the centre, so only characters that are
 * safe in every file system are allowed, and no leading dot.
 */
export const SYSTEM_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,15}$/;

export interface ReportHeader {
  /** Unique id of the sending PBX (1–16 chars of SYSTEM_ID_PATTERN). */
  systemId: string;
  pbxType: PbxType;
  /** APS (software) version, e.g. "HE300M.00.001.01"; printable ASCII. */
  apsVersion: string;
  /** Report sequence number of this PBX, 0–2^32-1, wraps. */
  seq: number;
  /** ms since epoch from the PBX clock when the report was built. */
  time: number;
}

export interface ErrorReport extends ReportHeader {
  records: ErrorRecord[];
}

export class ReportEncodeError extends Error {
  override name = 'ReportEncodeError';
}

/** Wire code of a PBX type: its rank, 1 = OfficePoint … 3 = OfficePro. */
export function pbxTypeCode(type: PbxType): number {
  return pbxTypeRank(type);
}

/** PBX types by wire code, built once: the centre decodes a report per call. */
const PBX_TYPE_BY_CODE: ReadonlyMap<number, PbxType> = new Map(Object.values(PbxType).map((t) => [pbxTypeCode(t), t]));

export function pbxTypeFromCode(code: number): PbxType | undefined {
  return PBX_TYPE_BY_CODE.get(code);
}

export function isValidSystemId(id: string): boolean {
  return SYSTEM_ID_PATTERN.test(id);
}

const CLASSES: readonly ErrorClass[] = ['A', 'B', 'C'];

/**
 * The records a signaling call carries (spec §3.4): class-B errors and
 * function-test pseudo errors; classes A and C are never signaled.
 */
export function signaledRecords(records: readonly ErrorRecord[]): ErrorRecord[] {
  return records.filter(isSignaled);
}

/** Whether a record is signaled: class B, or the function-test pseudo error. */
export function isSignaled(record: Readonly<ErrorRecord>): boolean {
  return record.cls === 'B' || record.pseudo;
}

/** The PBX types' values, for the encoder's check (built once: a fleet encodes reports by the hundred thousand). */
const PBX_TYPES: ReadonlySet<string> = new Set(Object.values(PbxType));
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** A record's bytes before its location: id, time, class, code, flags. */
const RECORD_FIXED_BYTES = 16;

/**
 * Encode a report; throws ReportEncodeError naming the bad field. One pass
 * checks every field and sums the sizes, the second writes into the one
 * buffer of the report: a fleet PBX retrying a busy centre builds a new
 * report at every new error, and the encoder used to allocate some ten
 * small buffers per record.
 */
export function encodeReport(report: ReportHeader & { records: ReadonlyArray<Readonly<ErrorRecord>> }): Buffer {
  const { systemId, apsVersion, seq, time, records } = report;
  if (!isValidSystemId(systemId)) throw new ReportEncodeError(`system id ${JSON.stringify(systemId)} must be 1–16 of A-Z a-z 0-9 . _ - (no leading dot)`);
  if (!PRINTABLE_ASCII.test(apsVersion) || apsVersion.length > MAX_APS_VERSION_BYTES) throw new ReportEncodeError(`APS version must be ≤ ${MAX_APS_VERSION_BYTES} printable ASCII characters`);
  const typeCode = PBX_TYPES.has(report.pbxType) ? pbxTypeCode(report.pbxType) : undefined;
  if (typeCode === undefined) throw new ReportEncodeError(`unknown PBX type ${JSON.stringify(report.pbxType)}`);
  checkUint('seq', seq, 0xffff_ffff);
  checkUint('time', time, Number.MAX_SAFE_INTEGER);
  if (records.length > MAX_RECORDS) throw new ReportEncodeError(`at most ${MAX_RECORDS} records per report`);

  let bodyLength = REPORT_FIXED_HEADER_BYTES + 1 + apsVersion.length;
  for (const r of records) bodyLength += recordBytes(r);
  const total = bodyLength + REPORT_CRC_BYTES;
  if (total > MAX_REPORT_BYTES) throw new ReportEncodeError(`report would be ${total} bytes, more than ${MAX_REPORT_BYTES}`);

  const out = Buffer.allocUnsafe(total).fill(0, 0, REPORT_FIXED_HEADER_BYTES);
  REPORT_MAGIC.copy(out, 0);
  out.writeUInt8(REPORT_FORMAT_VERSION, 4);
  // header flags at 5 stay 0, reserved in version 1
  out.writeUInt32BE(total, 6);
  out.write(systemId, 10, SYSTEM_ID_BYTES, 'ascii');
  out.writeUInt8(typeCode, 26);
  out.writeUInt32BE(seq, 27);
  out.writeBigUInt64BE(BigInt(time), 31);
  out.writeUInt16BE(records.length, 39);
  let at = out.writeUInt8(apsVersion.length, REPORT_FIXED_HEADER_BYTES);
  at += out.write(apsVersion, at, 'ascii');
  for (const r of records) at = writeRecord(out, at, r);
  out.writeUInt32BE(crc32(out.subarray(0, bodyLength)), bodyLength);
  return out;
}

/** A record's encoded size, after checking every field of it (the field names are built only for an error). */
function recordBytes(r: Readonly<ErrorRecord>): number {
  if (!isUint(r.id, 0xffff_ffff)) throw uintError(`record ${r.id} id`, r.id, 0xffff_ffff);
  if (!isUint(r.time, Number.MAX_SAFE_INTEGER)) throw uintError(`record ${r.id} time`, r.time, Number.MAX_SAFE_INTEGER);
  if (!isUint(r.code, 0xffff)) throw uintError(`record ${r.id} code`, r.code, 0xffff);
  if (!CLASSES.includes(r.cls)) throw new ReportEncodeError(`record ${r.id}: class must be A, B or C`);
  return RECORD_FIXED_BYTES + 1 + utf8Bytes(r, 'location', MAX_LOCATION_BYTES) + 2 + utf8Bytes(r, 'text', MAX_TEXT_BYTES);
}

/** Write a record checked by recordBytes at `at`; returns the offset after it. */
function writeRecord(out: Buffer, at: number, r: Readonly<ErrorRecord>): number {
  out.writeUInt32BE(r.id, at);
  out.writeBigUInt64BE(BigInt(r.time), at + 4);
  out.write(r.cls, at + 12, 1, 'ascii');
  out.writeUInt16BE(r.code, at + 13);
  out.writeUInt8(r.pseudo ? RECORD_FLAG_PSEUDO : 0, at + 15);
  at += RECORD_FIXED_BYTES;
  const location = out.write(r.location, at + 1, 'utf8');
  out.writeUInt8(location, at);
  at += 1 + location;
  const text = out.write(r.text, at + 2, 'utf8');
  out.writeUInt16BE(text, at);
  return at + 2 + text;
}

function checkUint(field: string, value: number, max: number): void {
  if (!isUint(value, max)) throw uintError(field, value, max);
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function uintError(field: string, value: number, max: number): ReportEncodeError {
  return new ReportEncodeError(`${field} must be an integer 0–${max}, got ${value}`);
}

/** A lone surrogate: UTF-8 would turn it into U+FFFD, so the string would not survive a round trip. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 size of a record's string field; lone surrogates would not survive a round trip, so they are refused. */
function utf8Bytes(r: Readonly<ErrorRecord>, field: 'location' | 'text', maxBytes: number): number {
  const s = r[field];
  if (LONE_SURROGATE.test(s)) throw new ReportEncodeError(`record ${r.id} ${field} is not well-formed Unicode (lone surrogate)`);
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > maxBytes) throw new ReportEncodeError(`record ${r.id} ${field} is ${bytes} UTF-8 bytes, at most ${maxBytes}`);
  return bytes;
}
