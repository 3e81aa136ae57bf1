import t from 'tap';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { functionTestStatus } from '../../src/centre/pbx-status.js';
import { ReportArchive } from '../../src/database/report-archive.js';
import { onBothEngines } from '../support/both-engines.js';
import { sampleReport, T0 } from '../support/sample-report.js';

const DAY = 86_400_000;
/** DEFAULT_TEST_GRACE_MS, written out: 2 h of slack (5 retries at up to 15 min plus margin, spec §3.4). */
const GRACE = 2 * 3600_000;

onBothEngines(t, 'summaries count reports and distinct errors and track the last function test', async (t, f) => {
  const db = await f.open();
  const store = new DatabaseReportStore(db);
  await store.appendReport(encodeReport(sampleReport({ seq: 1, records: [sampleReport().records[0]] })), T0);
  await store.appendReport(encodeReport(sampleReport({ seq: 2, pbxType: PbxType.OfficeCom, apsVersion: 'HE300M.00.002.01' })), T0 + DAY);
  const [s] = await new ReportArchive(db).summaries();
  t.same([s.reports, s.errors, s.firstReceivedAt, s.lastReceivedAt, s.lastSeq], [2, 2, T0, T0 + DAY, 2], 'two reports; the error re-sent in the second counted once');
  t.equal(s.lastFunctionTestAt, T0 + DAY, 'the report with the pseudo error sets the last function test');
  t.same([s.apsVersion, s.pbxType], ['HE300M.00.002.01', PbxType.OfficeCom], 'type and APS from the newest report');
});

t.test('the function test of a modem-only PBX is overdue only after interval plus grace', async (t) => {
  const base = { systemId: 'X', pbxType: PbxType.OfficePro, apsVersion: '', reports: 1, errors: 1, firstReceivedAt: T0, lastReceivedAt: T0, lastSeq: 1 };
  const tested = { ...base, lastFunctionTestAt: T0 };
  const due = T0 + DAY + GRACE;
  t.equal(functionTestStatus(tested, due, { functionTestIntervalMs: DAY }).functionTestOverdue, false, 'exactly at the due time: not overdue');
  t.equal(functionTestStatus(tested, due + 1, { functionTestIntervalMs: DAY }).functionTestOverdue, true, 'one ms later: overdue');
  t.equal(functionTestStatus(tested, due, { functionTestIntervalMs: DAY }).functionTestDueAt, due, 'the due time is reported');
  t.equal(functionTestStatus({ ...base, firstReceivedAt: T0 + 3600_000 }, due + 1, { functionTestIntervalMs: DAY }).functionTestOverdue, false, 'a PBX that never sent one is measured from its first report');
  t.equal(functionTestStatus(tested, T0 + 10 * DAY).functionTestOverdue, false, 'without an interval nothing is judged');
  t.equal(functionTestStatus(tested, T0 + DAY + 1, { functionTestIntervalMs: DAY, graceMs: 0 }).functionTestOverdue, true, 'a custom grace of 0');
  t.equal(PSEUDO_ERROR_CODE, 0xfff0, 'the pseudo error is FFF0 (what marks a report as a function test)');
});
