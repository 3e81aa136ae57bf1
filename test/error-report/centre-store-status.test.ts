import t from 'tap';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { CentreStore, DEFAULT_FUNCTION_TEST_GRACE_MS, functionTestStatus } from '../../src/centre/centre-store.js';
import { sampleReport, T0 } from '../support/sample-report.js';

const DAY = 24 * 3600_000;
const plain = sampleReport().records[0];
const pseudo = sampleReport().records[1];

t.test('summaries count reports and distinct errors, and track the last function test', async (t) => {
  const store = CentreStore.open(t.testdir());
  store.appendReport(encodeReport(sampleReport({ seq: 1, records: [plain] })), T0);
  store.appendReport(encodeReport(sampleReport({ seq: 2, records: [plain, pseudo], apsVersion: 'HE300M.00.002.01', pbxType: PbxType.OfficeCom })), T0 + DAY);
  const [s] = store.systems();
  t.equal(s.reports, 2, 'two reports');
  t.equal(s.errors, 2, 'the error re-sent in the second report is counted once');
  t.equal(s.firstReceivedAt, T0, 'first report time');
  t.equal(s.lastReceivedAt, T0 + DAY, 'last report time');
  t.equal(s.lastSeq, 2, 'last sequence number');
  t.equal(s.lastFunctionTestAt, T0 + DAY, 'the report with the pseudo error sets the last function test');
  t.equal(s.apsVersion, 'HE300M.00.002.01', 'APS version from the newest report');
  t.equal(s.pbxType, PbxType.OfficeCom, 'PBX type from the newest report');
});

t.test('function test is overdue only after interval plus grace', async (t) => {
  const store = CentreStore.open(t.testdir());
  store.appendReport(encodeReport(sampleReport({ systemId: 'TESTED', records: [pseudo] })), T0);
  store.appendReport(encodeReport(sampleReport({ systemId: 'SILENT', records: [plain] })), T0 + 3600_000);
  const interval = 2 * DAY;
  const at = (now: number) => Object.fromEntries(store.status(now, { functionTestIntervalMs: interval }).map((s) => [s.systemId, s.functionTestOverdue]));
  const due = T0 + interval + DEFAULT_FUNCTION_TEST_GRACE_MS;
  t.same(at(due), { SILENT: false, TESTED: false }, 'exactly at the due time nobody is overdue');
  t.same(at(due + 1), { SILENT: false, TESTED: true }, 'one ms later the tested PBX is overdue');
  t.same(at(due + 3600_000 + 1), { SILENT: true, TESTED: true }, 'a PBX that never sent a function test is measured from its first report');
  t.same(store.status(due + 10 * DAY).map((s) => s.functionTestOverdue), [false, false], 'without a configured interval nothing is supervised');
  t.equal(store.status(T0, { functionTestIntervalMs: interval })[1].functionTestDueAt, due, 'the due time is reported');
});

t.test('a later function test resets the deadline; custom grace is honoured', async (t) => {
  const summary = { systemId: 'X', pbxType: PbxType.OfficePoint, apsVersion: '', reports: 3, errors: 3, firstReceivedAt: T0, lastReceivedAt: T0 + 5 * DAY, lastSeq: 3, lastFunctionTestAt: T0 + 5 * DAY };
  t.equal(functionTestStatus(summary, T0 + 6 * DAY + 1, { functionTestIntervalMs: DAY, graceMs: 0 }).functionTestOverdue, true, 'one day and a bit after the last test with no grace: overdue');
  t.equal(functionTestStatus(summary, T0 + 6 * DAY + 1, { functionTestIntervalMs: DAY, graceMs: 1 }).functionTestOverdue, false, 'one ms of grace keeps it in time');
});
