/**
 * Centre files (`<system id>.hcs`, docs/error-report.md §4) as centres
 * before the database wrote them, for tests of the readers (`report
 * decode`, `centre import`): the product reads these files, it no longer
 * writes them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeReport, type ErrorReport } from '../../firmware-sim/error-report.js';
import { CENTRE_FILE_HEADER } from '../../src/centre/centre-file.js';

/** One record: length u32 | receivedAt u64 | report | CRC-32 u32 (over length and body). */
export function encodeCentreRecord(report: Uint8Array, receivedAt: number): Buffer {
  const out = Buffer.alloc(4 + 8 + report.length + 4);
  out.writeUInt32BE(8 + report.length, 0);
  out.writeBigUInt64BE(BigInt(receivedAt), 4);
  out.set(report, 12);
  const end = out.length - 4;
  out.writeUInt32BE(crc32(out.subarray(0, end)), end);
  return out;
}

/** The bytes of a whole centre file holding these reports. */
export function centreFileBytes(reports: Array<{ report: ErrorReport; receivedAt: number }>): Buffer {
  return Buffer.concat([CENTRE_FILE_HEADER, ...reports.map((r) => encodeCentreRecord(encodeReport(r.report), r.receivedAt))]);
}

/** Write `<dir>/<system id>.hcs`; returns its path. */
export function writeCentreFile(dir: string, systemId: string, reports: Array<{ report: ErrorReport; receivedAt: number }>): string {
  const file = join(dir, `${systemId}.hcs`);
  writeFileSync(file, centreFileBytes(reports));
  return file;
}
