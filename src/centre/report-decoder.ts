// The package's ESM entry ships no types; its CJS build (typed, same code) is reachable via the "./*" export.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { crc32 } from 'node:zlib';
import type { ErrorClass, ErrorRecord } from '../../firmware-sim/error-history.js';
import {
  type ErrorReport,
  MAX_REPORT_BYTES,
  REPORT_CRC_BYTES,
  REPORT_FIXED_HEADER_BYTES,
  REPORT_FORMAT_VERSION,
  REPORT_MAGIC,
  RECORD_FLAG_PSEUDO,
  SYSTEM_ID_BYTES,
  isValidSystemId,
  pbxTypeFromCode,
} from '../../firmware-sim/error-report.js';

/**
 * Reading side of the binary error report (`docs/error-report.md`). The
 * envelope (magic, version, length, CRC) is checked by hand first so every
 * failure gets a precise message; the structure itself is read with
 * binary-parser.
 */

export type ReportDecodeErrorCode = 'TRUNCATED' | 'BAD_MAGIC' | 'BAD_VERSION' | 'BAD_LENGTH' | 'BAD_CRC' | 'BAD_FIELD';

export class ReportDecodeError extends Error {
  override name = 'ReportDecodeError';
  constructor(readonly code: ReportDecodeErrorCode, message: string) {
    super(message);
  }
}

interface RawRecord {
  id: number;
  time: bigint;
  cls: number;
  code: number;
  flags: number;
  location: Buffer;
  text: Buffer;
}

interface RawReport {
  magic: Buffer;
  version: number;
  headerFlags: number;
  totalLength: number;
  systemId: Buffer;
  pbxType: number;
  seq: number;
  time: bigint;
  count: number;
  apsVersion: Buffer;
  records: RawRecord[];
  recordsEnd: number;
}

const recordParser = new Parser()
  .endianness('big')
  .uint32('id')
  .uint64('time')
  .uint8('cls')
  .uint16('code')
  .uint8('flags')
  .uint8('locationLength')
  .buffer('location', { length: 'locationLength' })
  .uint16('textLength')
  .buffer('text', { length: 'textLength' });

const reportParser = new Parser()
  .endianness('big')
  .buffer('magic', { length: REPORT_MAGIC.length })
  .uint8('version')
  .uint8('headerFlags')
  .uint32('totalLength')
  .buffer('systemId', { length: SYSTEM_ID_BYTES })
  .uint8('pbxType')
  .uint32('seq')
  .uint64('time')
  .uint16('count')
  .uint8('apsVersionLength')
  .buffer('apsVersion', { length: 'apsVersionLength' })
  .array('records', { type: recordParser, length: 'count' })
  .saveOffset('recordsEnd');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `bytes` starts like an error report (magic only; no other check). */
export function looksLikeReport(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(0, REPORT_MAGIC.length).equals(REPORT_MAGIC);
}

/**
 * Decode exactly one report filling all of `bytes`. Throws ReportDecodeError
 * for anything short, corrupt or from an unknown format version.
 */
export function decodeReport(bytes: Uint8Array): ErrorReport {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const minimum = REPORT_FIXED_HEADER_BYTES + 1 + REPORT_CRC_BYTES;
  if (buf.length < REPORT_MAGIC.length || !looksLikeReport(buf.subarray(0, REPORT_MAGIC.length))) {
    if (buf.length < REPORT_MAGIC.length && REPORT_MAGIC.subarray(0, buf.length).equals(buf)) throw new ReportDecodeError('TRUNCATED', `truncated report: ${buf.length} bytes, the header alone is ${minimum}`);
    throw new ReportDecodeError('BAD_MAGIC', `not an error report: magic is ${hex(buf.subarray(0, 4))}, expected ${hex(REPORT_MAGIC)} ("HCER")`);
  }
  if (buf.length < 5) throw new ReportDecodeError('TRUNCATED', `truncated report: ${buf.length} bytes, the header alone is ${minimum}`);
  if (buf[4] !== REPORT_FORMAT_VERSION) throw new ReportDecodeError('BAD_VERSION', `unsupported report format version ${buf[4]} (this reader knows ${REPORT_FORMAT_VERSION})`);
  if (buf.length < minimum) throw new ReportDecodeError('TRUNCATED', `truncated report: ${buf.length} bytes, the header alone is ${minimum}`);
  const total = buf.readUInt32BE(6);
  if (total < minimum || total > MAX_REPORT_BYTES) throw new ReportDecodeError('BAD_LENGTH', `report length field ${total} is outside ${minimum}–${MAX_REPORT_BYTES}`);
  if (buf.length < total) throw new ReportDecodeError('TRUNCATED', `truncated report: ${buf.length} of ${total} bytes`);
  if (buf.length > total) throw new ReportDecodeError('BAD_LENGTH', `${buf.length - total} bytes after the end of the report (length field says ${total})`);
  const stored = buf.readUInt32BE(total - REPORT_CRC_BYTES);
  const computed = crc32(buf.subarray(0, total - REPORT_CRC_BYTES));
  if (stored !== computed) throw new ReportDecodeError('BAD_CRC', `report CRC mismatch: stored ${hex32(stored)}, computed ${hex32(computed)}`);

  let raw: RawReport;
  try {
    raw = reportParser.parse(buf.subarray(0, total - REPORT_CRC_BYTES)) as RawReport;
  } catch (err) {
    // CRC was right, so the writer produced an inconsistent report (counts vs lengths).
    throw new ReportDecodeError('BAD_FIELD', `report structure does not fit its length: ${(err as Error).message}`);
  }
  return toReport(raw, total);
}

function toReport(raw: RawReport, total: number): ErrorReport {
  if (raw.headerFlags !== 0) throw new ReportDecodeError('BAD_FIELD', `unknown header flags ${hex(Buffer.of(raw.headerFlags))}`);
  const systemId = fixedAscii(raw.systemId);
  if (!isValidSystemId(systemId)) throw new ReportDecodeError('BAD_FIELD', `invalid system id ${JSON.stringify(systemId)}`);
  const pbxType = pbxTypeFromCode(raw.pbxType);
  if (pbxType === undefined) throw new ReportDecodeError('BAD_FIELD', `unknown PBX type code ${raw.pbxType}`);
  const apsVersion = raw.apsVersion.toString('latin1');
  if (!/^[\x20-\x7e]*$/.test(apsVersion)) throw new ReportDecodeError('BAD_FIELD', 'APS version is not printable ASCII');
  if (raw.recordsEnd !== total - REPORT_CRC_BYTES) throw new ReportDecodeError('BAD_FIELD', `records end at byte ${raw.recordsEnd}, but the CRC starts at ${total - REPORT_CRC_BYTES}`);
  const records = raw.records.map(toRecord);
  return { systemId, pbxType, apsVersion, seq: raw.seq, time: safeTime(raw.time, 'report time'), records };
}

function toRecord(raw: RawRecord): ErrorRecord {
  const cls = String.fromCharCode(raw.cls);
  if (cls !== 'A' && cls !== 'B' && cls !== 'C') throw new ReportDecodeError('BAD_FIELD', `record ${raw.id}: class byte ${hex(Buffer.of(raw.cls))} is not A, B or C`);
  if (raw.flags & ~RECORD_FLAG_PSEUDO) throw new ReportDecodeError('BAD_FIELD', `record ${raw.id}: unknown flags ${hex(Buffer.of(raw.flags))}`);
  return {
    id: raw.id,
    time: safeTime(raw.time, 'time', raw.id),
    cls: cls as ErrorClass,
    code: raw.code,
    location: text(raw.location, 'location', raw.id),
    text: text(raw.text, 'text', raw.id),
    pseudo: (raw.flags & RECORD_FLAG_PSEUDO) !== 0,
  };
}

function text(bytes: Buffer, field: string, recordId: number): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ReportDecodeError('BAD_FIELD', `${fieldName(field, recordId)} is not valid UTF-8`);
  }
}

function fixedAscii(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  const used = end === -1 ? bytes : bytes.subarray(0, end);
  if (end !== -1 && bytes.subarray(end).some((b) => b !== 0)) throw new ReportDecodeError('BAD_FIELD', 'system id padding is not all 0x00');
  return used.toString('latin1');
}

/** The largest time a report's number can hold exactly (ms since the epoch). */
const MAX_TIME = BigInt(Number.MAX_SAFE_INTEGER);

function safeTime(value: bigint, field: string, recordId?: number): number {
  if (value > MAX_TIME) throw new ReportDecodeError('BAD_FIELD', `${fieldName(field, recordId)} ${value} is out of range`);
  return Number(value);
}

/**
 * A field's name in a message, `record 7 time` for a record's: named only
 * when a message needs it, since the centre decodes every report it
 * receives and most are fine.
 */
function fieldName(field: string, recordId: number | undefined): string {
  return recordId === undefined ? field : `record ${recordId} ${field}`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?=.)/g, '$1 ');
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
