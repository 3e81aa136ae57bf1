import { crc32 } from 'node:zlib';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { MAX_REPORT_BYTES } from '../../firmware-sim/error-report.js';
import { decodeReport, ReportDecodeError } from './report-decoder.js';

/**
 * Layout of the centre's per-PBX file (`docs/error-report.md`, "Centre
 * file"): a header, then one record per received report, each
 *
 *   length u32 | receivedAt u64 (ms since epoch, centre clock) | report | CRC-32 u32
 *
 * where `length` counts receivedAt + report and the CRC covers length and
 * body. Records are only ever appended, so the one thing a crash can leave
 * is a torn last record; the parser tells it apart from damage in the middle.
 */

/** "HCCS" — Hicom Centre Store. */
export const CENTRE_FILE_MAGIC = Buffer.from('HCCS', 'ascii');
export const CENTRE_FILE_VERSION = 1;
/** Magic, version u8, three reserved zero bytes. */
export const CENTRE_FILE_HEADER = Buffer.concat([CENTRE_FILE_MAGIC, Buffer.of(CENTRE_FILE_VERSION, 0, 0, 0)]);
const LENGTH_BYTES = 4;
const RECEIVED_AT_BYTES = 8;
const CRC_BYTES = 4;
/** Smallest report: fixed header, empty APS version, CRC. */
const MIN_REPORT_BYTES = 46;

export interface StoredReport {
  /** Byte offset of the record in the file. */
  offset: number;
  receivedAt: number;
  report: ErrorReport;
  /** The report exactly as received. */
  bytes: Buffer;
}

export interface TornTail {
  offset: number;
  bytes: number;
  reason: string;
}

export interface CentreFileContents {
  reports: StoredReport[];
  /** Length of the file up to the end of the last whole record. */
  validBytes: number;
  /** Set when the file ends in a partial or damaged last record (a crash during append). */
  tornTail?: TornTail;
}

export class CentreFileError extends Error {
  override name = 'CentreFileError';
}

export function looksLikeCentreFile(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(0, CENTRE_FILE_MAGIC.length).equals(CENTRE_FILE_MAGIC);
}

/** One appendable record for a report already validated by the caller. */
export function encodeCentreRecord(report: Uint8Array, receivedAt: number): Buffer {
  const out = Buffer.alloc(LENGTH_BYTES + RECEIVED_AT_BYTES + report.length + CRC_BYTES);
  out.writeUInt32BE(RECEIVED_AT_BYTES + report.length, 0);
  out.writeBigUInt64BE(BigInt(receivedAt), LENGTH_BYTES);
  out.set(report, LENGTH_BYTES + RECEIVED_AT_BYTES);
  const end = out.length - CRC_BYTES;
  out.writeUInt32BE(crc32(out.subarray(0, end)), end);
  return out;
}

/**
 * Read a whole centre file. A torn last record is reported in `tornTail`
 * (the caller decides whether to repair); anything else that is wrong —
 * bad header, a damaged record with data after it, a record whose report
 * does not decode — throws CentreFileError, because cutting there would
 * throw away reports that were acknowledged.
 */
export function parseCentreFile(bytes: Uint8Array): CentreFileContents {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < CENTRE_FILE_HEADER.length) {
    if (CENTRE_FILE_HEADER.subarray(0, buf.length).equals(buf) || buf.every((b) => b === 0)) {
      // Crash while the file was being created: no record can exist yet.
      return { reports: [], validBytes: 0, tornTail: { offset: 0, bytes: buf.length, reason: 'partial file header' } };
    }
    throw new CentreFileError(`not a centre file: ${buf.length} bytes, no "HCCS" header`);
  }
  if (!looksLikeCentreFile(buf)) throw new CentreFileError('not a centre file: magic is not "HCCS"');
  if (buf[4] !== CENTRE_FILE_VERSION) throw new CentreFileError(`unsupported centre file version ${buf[4]} (this reader knows ${CENTRE_FILE_VERSION})`);
  const reports: StoredReport[] = [];
  let pos = CENTRE_FILE_HEADER.length;
  while (pos < buf.length) {
    const problem = recordProblem(buf, pos);
    if (problem) {
      if (problem.torn) return { reports, validBytes: pos, tornTail: { offset: pos, bytes: buf.length - pos, reason: problem.reason } };
      throw new CentreFileError(`damaged record at byte ${pos} (${problem.reason}) with ${buf.length - pos} bytes from there on; not repaired automatically`);
    }
    const length = buf.readUInt32BE(pos);
    const body = buf.subarray(pos + LENGTH_BYTES, pos + LENGTH_BYTES + length);
    const reportBytes = body.subarray(RECEIVED_AT_BYTES);
    let report: ErrorReport;
    try {
      report = decodeReport(reportBytes);
    } catch (err) {
      if (err instanceof ReportDecodeError) throw new CentreFileError(`record at byte ${pos}: ${err.message}`);
      throw err;
    }
    reports.push({ offset: pos, receivedAt: Number(body.readBigUInt64BE(0)), report, bytes: Buffer.from(reportBytes) });
    pos += LENGTH_BYTES + length + CRC_BYTES;
  }
  return { reports, validBytes: pos };
}

/** Why the record at `pos` is not whole, and whether that can only be a torn append. */
function recordProblem(buf: Buffer, pos: number): { reason: string; torn: boolean } | undefined {
  const rest = buf.length - pos;
  if (rest < LENGTH_BYTES) return { reason: 'partial length field', torn: true };
  const length = buf.readUInt32BE(pos);
  if (length < RECEIVED_AT_BYTES + MIN_REPORT_BYTES || length > RECEIVED_AT_BYTES + MAX_REPORT_BYTES) {
    // A file system may leave zeros where an append did not land.
    const zeros = buf.subarray(pos).every((b) => b === 0);
    return { reason: `record length ${length} out of range`, torn: zeros };
  }
  const size = LENGTH_BYTES + length + CRC_BYTES;
  if (rest < size) return { reason: `partial record: ${rest} of ${size} bytes`, torn: true };
  const end = pos + LENGTH_BYTES + length;
  if (crc32(buf.subarray(pos, end)) !== buf.readUInt32BE(end)) return { reason: 'record CRC mismatch', torn: end + CRC_BYTES === buf.length };
  return undefined;
}
