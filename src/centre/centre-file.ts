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
/** Bytes a record adds around its report: length, receivedAt, CRC (test/support/centre-file-fixture.ts writes them). */
export const CENTRE_RECORD_OVERHEAD = LENGTH_BYTES + RECEIVED_AT_BYTES + CRC_BYTES;
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

/** The end of a file that a crash during an append left incomplete: only the writer may cut it. */
export interface TornTail {
  offset: number;
  bytes: number;
  reason: string;
}

/**
 * Bytes that are complete but wrong (a bad CRC, an impossible length
 * followed by data, a report that does not decode, a foreign header). A
 * crash cannot produce them, so nobody cuts them: they are reported and kept.
 */
export interface CentreFileDamage {
  offset: number;
  bytes: number;
  reason: string;
}

export interface CentreFileContents {
  /** Every whole, valid record, damaged ones left out. */
  reports: StoredReport[];
  /** Length of the file up to the end of the last whole record before a torn tail (the whole file when there is none). */
  validBytes: number;
  /** Set when the file ends in a partial last record (a crash during append). */
  tornTail?: TornTail;
  /** Damaged regions, in file order; empty for a sound file. */
  damage: CentreFileDamage[];
}

export function looksLikeCentreFile(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(0, CENTRE_FILE_MAGIC.length).equals(CENTRE_FILE_MAGIC);
}

/**
 * Read a whole centre file without changing anything. Never throws for what
 * the bytes contain: a torn last record is reported in `tornTail` (the
 * writer decides to repair it), damage in `damage`. After a damaged record
 * whose length is plausible, reading goes on at the next record if one
 * starts there, so one flipped bit hides no other report.
 */
export function parseCentreFile(bytes: Uint8Array): CentreFileContents {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reports: StoredReport[] = [];
  const damage: CentreFileDamage[] = [];
  if (buf.length < CENTRE_FILE_HEADER.length) {
    if (CENTRE_FILE_HEADER.subarray(0, buf.length).equals(buf) || buf.every((b) => b === 0)) {
      // Crash while the file was being created: no record can exist yet.
      return { reports, validBytes: 0, tornTail: { offset: 0, bytes: buf.length, reason: buf.length ? 'partial file header' : 'empty file' }, damage };
    }
    return { reports, validBytes: buf.length, damage: [{ offset: 0, bytes: buf.length, reason: `not a centre file: ${buf.length} bytes, no "HCCS" header` }] };
  }
  const headerProblem = !looksLikeCentreFile(buf)
    ? 'not a centre file: magic is not "HCCS"'
    : buf[4] !== CENTRE_FILE_VERSION
      ? `unsupported centre file version ${buf[4]} (this reader knows ${CENTRE_FILE_VERSION})`
      : undefined;
  if (headerProblem) return { reports, validBytes: buf.length, damage: [{ offset: 0, bytes: buf.length, reason: headerProblem }] };
  let pos = CENTRE_FILE_HEADER.length;
  while (pos < buf.length) {
    const problem = recordProblem(buf, pos);
    if (problem?.torn) return { reports, validBytes: pos, tornTail: { offset: pos, bytes: buf.length - pos, reason: problem.reason }, damage };
    if (problem) {
      const next = problem.next !== undefined && (problem.next === buf.length || recordProblem(buf, problem.next) === undefined) ? problem.next : buf.length;
      damage.push({ offset: pos, bytes: next - pos, reason: problem.reason });
      pos = next;
      continue;
    }
    const length = buf.readUInt32BE(pos);
    const next = pos + LENGTH_BYTES + length + CRC_BYTES;
    const body = buf.subarray(pos + LENGTH_BYTES, pos + LENGTH_BYTES + length);
    const reportBytes = body.subarray(RECEIVED_AT_BYTES);
    try {
      reports.push({ offset: pos, receivedAt: Number(body.readBigUInt64BE(0)), report: decodeReport(reportBytes), bytes: Buffer.from(reportBytes) });
    } catch (err) {
      if (!(err instanceof ReportDecodeError)) throw err;
      damage.push({ offset: pos, bytes: next - pos, reason: `report does not decode: ${err.message}` });
    }
    pos = next;
  }
  return { reports, validBytes: pos, damage };
}

/**
 * Why the record at `pos` is not whole. `torn` only for what an interrupted
 * append can leave: a record cut short, or zeros where the next length
 * should be. `next` is where the following record would start when the
 * length field looks sound.
 */
function recordProblem(buf: Buffer, pos: number): { reason: string; torn: boolean; next?: number } | undefined {
  const rest = buf.length - pos;
  if (rest < LENGTH_BYTES) return { reason: `partial length field: ${rest} of ${LENGTH_BYTES} bytes`, torn: true };
  const length = buf.readUInt32BE(pos);
  if (length < RECEIVED_AT_BYTES + MIN_REPORT_BYTES || length > RECEIVED_AT_BYTES + MAX_REPORT_BYTES) {
    // A file system may leave zeros where an append did not land.
    const zeros = buf.subarray(pos).every((b) => b === 0);
    return { reason: zeros ? `${rest} zero bytes where a record should start` : `record length ${length} out of range`, torn: zeros };
  }
  const size = LENGTH_BYTES + length + CRC_BYTES;
  if (rest < size) return { reason: `partial record: ${rest} of ${size} bytes`, torn: true };
  const end = pos + LENGTH_BYTES + length;
  // Complete but wrong is damage, not a torn append: an interrupted append leaves the record short.
  if (crc32(buf.subarray(pos, end)) !== buf.readUInt32BE(end)) return { reason: 'record CRC mismatch', torn: false, next: end + CRC_BYTES };
  return undefined;
}
