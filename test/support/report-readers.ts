import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { EventLog } from '../../src/database/event-log.js';
import { ReportArchive } from '../../src/database/report-archive.js';
import { sampleReport, T0 } from './sample-report.js';

/** A report's record: a class-B error, or a function test. */
export const rec = (id: number, time: number, pseudo = false): ErrorRecord => ({ id, time, cls: 'B', code: pseudo ? PSEUDO_ERROR_CODE : 0x210, location: 'S1', text: `error ${id}`, pseudo });

/**
 * History for a migration test to carry forward, as the program stores it:
 * six reports each of P1 and P2 interleaved, active errors and cleared
 * function tests. Returns the store it used.
 */
export async function storeReportHistory(db: CentreDatabase): Promise<DatabaseReportStore> {
  const store = new DatabaseReportStore(db);
  for (let seq = 1; seq <= 6; seq++) {
    for (const id of ['P1', 'P2']) await store.appendReport(encodeReport(sampleReport({ systemId: id, seq, records: [rec(2 * seq, T0 + seq * 1000), rec(2 * seq + 1, T0 + seq * 1000 + 1, seq % 2 === 0)] })), T0 + seq * 60_000);
  }
  return store;
}

/** What the readers of reports and events show, for one PBX and the fleet. */
export async function reportReaders(db: CentreDatabase, systemId: string): Promise<{ count: number; active: number[] } & Record<string, unknown>> {
  const archive = new ReportArchive(db);
  return {
    reports: (await archive.reports(systemId)).map((r) => [r.id, r.report.seq, r.receivedAt, r.bytes.toString('hex')]),
    count: await archive.count(systemId),
    summaries: await archive.summaries(),
    events: (await new EventLog(db).list({ deviceId: systemId })).map((e) => [e.id, e.type, e.life, e.occurredAt, e.data]),
    active: (await new EventLog(db).list({ deviceId: systemId, life: 'active' })).map((e) => e.id),
  };
}
