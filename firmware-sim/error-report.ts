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

export function pbxTypeFromCode(code: number): PbxType | undefined {
  return Object.values(PbxType).find((t) => pbxTypeRank(t) === code);
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

/** Encode a report; throws ReportEncodeError naming the bad field. */
export function encodeReport(report: ErrorReport): Buffer {
  const { systemId, apsVersion, seq, time, records } = report;
  if (!isValidSystemId(systemId)) throw new ReportEncodeError(`system id ${JSON.stringify(systemId)} must be 1–16 of A-Z a-z 0-9 . _ - (no leading dot)`);
  if (!/^[\x20-\x7e]*$/.test(apsVersion) || apsVersion.length > MAX_APS_VERSION_BYTES) throw new ReportEncodeError(`APS version must be ≤ ${MAX_APS_VERSION_BYTES} printable ASCII characters`);
  const typeCode = Object.values(PbxType).includes(report.pbxType) ? pbxTypeCode(report.pbxType) : undefined;
  if (typeCode === undefined) throw new ReportEncodeError(`unknown PBX type ${JSON.stringify(report.pbxType)}`);
  checkUint('seq', seq, 0xffff_ffff);
  checkUint('time', time, Number.MAX_SAFE_INTEGER);
  if (records.length > MAX_RECORDS) throw new ReportEncodeError(`at most ${MAX_RECORDS} records per report`);

  const parts: Buffer[] = [];
  const head = Buffer.alloc(REPORT_FIXED_HEADER_BYTES);
  REPORT_MAGIC.copy(head, 0);
  head.writeUInt8(REPORT_FORMAT_VERSION, 4);
  head.writeUInt8(0, 5); // header flags, reserved in version 1
  // total length at 6 is filled in below, once the records are encoded
  head.write(systemId, 10, SYSTEM_ID_BYTES, 'ascii');
  head.writeUInt8(typeCode, 26);
  head.writeUInt32BE(seq, 27);
  head.writeBigUInt64BE(BigInt(time), 31);
  head.writeUInt16BE(records.length, 39);
  parts.push(head, lengthPrefixed(Buffer.from(apsVersion, 'ascii'), 1));
  for (const r of records) parts.push(encodeRecord(r));

  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const total = bodyLength + REPORT_CRC_BYTES;
  if (total > MAX_REPORT_BYTES) throw new ReportEncodeError(`report would be ${total} bytes, more than ${MAX_REPORT_BYTES}`);
  head.writeUInt32BE(total, 6);
  const out = Buffer.concat([...parts, Buffer.alloc(REPORT_CRC_BYTES)], total);
  out.writeUInt32BE(crc32(out.subarray(0, bodyLength)), bodyLength);
  return out;
}

function encodeRecord(r: ErrorRecord): Buffer {
  const where = `record ${r.id}`;
  checkUint(`${where} id`, r.id, 0xffff_ffff);
  checkUint(`${where} time`, r.time, Number.MAX_SAFE_INTEGER);
  checkUint(`${where} code`, r.code, 0xffff);
  if (!CLASSES.includes(r.cls)) throw new ReportEncodeError(`${where}: class must be A, B or C`);
  const location = utf8(`${where} location`, r.location, MAX_LOCATION_BYTES);
  const text = utf8(`${where} text`, r.text, MAX_TEXT_BYTES);
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32BE(r.id, 0);
  fixed.writeBigUInt64BE(BigInt(r.time), 4);
  fixed.write(r.cls, 12, 1, 'ascii');
  fixed.writeUInt16BE(r.code, 13);
  fixed.writeUInt8(r.pseudo ? RECORD_FLAG_PSEUDO : 0, 15);
  return Buffer.concat([fixed, lengthPrefixed(location, 1), lengthPrefixed(text, 2)]);
}

function checkUint(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new ReportEncodeError(`${field} must be an integer 0–${max}, got ${value}`);
}

/** UTF-8 bytes of a string; lone surrogates would not survive a round trip, so they are refused. */
function utf8(field: string, s: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.toString('utf8') !== s) throw new ReportEncodeError(`${field} is not well-formed Unicode (lone surrogate)`);
  if (bytes.length > maxBytes) throw new ReportEncodeError(`${field} is ${bytes.length} UTF-8 bytes, at most ${maxBytes}`);
  return bytes;
}

function lengthPrefixed(bytes: Buffer, prefixBytes: 1 | 2): Buffer {
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntBE(bytes.length, 0, prefixBytes);
  return Buffer.concat([prefix, bytes]);
}
