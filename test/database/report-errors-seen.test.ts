import t from 'tap';
import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { EventLog } from '../../src/database/event-log.js';
import { ReportArchive } from '../../src/database/report-archive.js';
import { onBothEngines } from '../support/both-engines.js';
import { sampleReport, T0 } from '../support/sample-report.js';

const rec = (id: number, time: number): ErrorRecord => ({ id, time, cls: 'B', code: 0x210, location: 'S1', text: `error ${id}`, pseudo: false });

/**
 * storeReport looks up which of a report's records an earlier report carried
 * with one range query over report_errors instead of one per record: an
 * event is made exactly for the records (id and time) no report carried
 * before — also for ids outside, below and between the ones seen, and once
 * for a record a report carries twice.
 */
onBothEngines(t, 'a report makes events only for the records no earlier report carried', async (t, f) => {
  const db = await f.open();
  const store = new DatabaseReportStore(db);
  const events = new EventLog(db);
  const eventIds = async (): Promise<string[]> => (await events.list({ deviceId: 'PBX0001' })).map((e) => `${String(e.data.errorId)}@${e.occurredAt - T0}`).sort();

  await store.appendReport(encodeReport(sampleReport({ seq: 1, records: [rec(7, T0 + 1), rec(8, T0 + 2)] })), T0 + 10);
  t.same(await eventIds(), ['7@1', '8@2'], 'the first report: an event per record');

  await store.appendReport(encodeReport(sampleReport({ seq: 2, records: [rec(7, T0 + 5), rec(8, T0 + 2), rec(9, T0 + 3)] })), T0 + 20);
  t.same(await eventIds(), ['7@1', '7@5', '8@2', '9@3'], 'record 8 again is not a new event; 9 is, and 7 with another time is another error');

  await store.appendReport(encodeReport(sampleReport({ seq: 3, records: [rec(5, T0 + 6), rec(8, T0 + 2), rec(12, T0 + 7), rec(12, T0 + 7)] })), T0 + 30);
  t.same(await eventIds(), ['12@7', '5@6', '7@1', '7@5', '8@2', '9@3'], 'ids below and above the seen ones are new, a record carried twice in one report is one event');

  const r = await store.appendReport(encodeReport(sampleReport({ seq: 3, records: [rec(5, T0 + 6), rec(8, T0 + 2), rec(12, T0 + 7), rec(12, T0 + 7)] })), T0 + 40);
  t.equal(r.stored, false, 'the same report again is not stored');
  t.equal((await eventIds()).length, 6, 'and makes no event');
  const [s] = await new ReportArchive(db).summaries();
  t.equal(s.errors, 6, 'report_errors holds each distinct record once');
});
