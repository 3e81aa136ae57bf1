import type { CentreDatabase } from '../database/centre-database.js';
import { storeReport } from '../database/report-archive.js';
import { describeProblem, readCentreDirectory } from './centre-directory.js';

export interface ImportedFile {
  systemId: string;
  file: string;
  /** Whole records read from the file. */
  reports: number;
  /** Of those, new to the database (the rest were there from an earlier import or the modem). */
  stored: number;
  /** Damage or a torn tail, in the words of `describeProblem`; undefined for a sound file. */
  problem?: string;
}

/**
 * `hicom-sim centre import DIR`: the per-PBX files of earlier versions
 * (docs/error-report.md §4) into the database, so a centre upgrades without
 * losing its history. Read-only on the files (the reader changes nothing,
 * not even a torn tail); every whole record is stored with its reception
 * time and raw bytes, once (system id, seq and CRC tell a report already
 * there), so running it again adds nothing. Damaged regions are reported,
 * and the sound records around them imported.
 */
export async function importCentreDirectory(db: CentreDatabase, dir: string): Promise<ImportedFile[]> {
  const out: ImportedFile[] = [];
  for (const read of readCentreDirectory(dir)) {
    const stored = await db.run(function* () {
      let n = 0;
      for (const r of read.reports) {
        const s = yield* storeReport(db.kysely, { bytes: r.bytes, report: r.report, receivedAt: r.receivedAt, channel: 'import', history: true });
        if (s.stored) n++;
      }
      return n;
    });
    out.push({ systemId: read.systemId, file: read.file, reports: read.reports.length, stored, problem: describeProblem(read) });
  }
  return out;
}
