import t from 'tap';
import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { SupervisionStates } from '../../src/database/supervision-states.js';
import type { Work, WorkFactory } from '../../src/database/work.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { sampleReport, T0 } from '../support/sample-report.js';

const HOUR = 3_600_000;
const error = (id: number, time: number): ErrorRecord => ({ id, time, cls: 'B', code: 0x210, location: 'S1', text: `error ${id}`, pseudo: false });
const test = (id: number, time: number): ErrorRecord => ({ id, time, cls: 'B', code: PSEUDO_ERROR_CODE, location: '', text: 'Function test', pseudo: true });

/** `db` with every statement its units of work run counted in `seen`. */
function counting(db: CentreDatabase, seen: { statements: number }): CentreDatabase {
  function* counted<T>(work: Work<T>): Work<T> {
    let step = work.next();
    while (!step.done) {
      seen.statements++;
      step = work.next(yield step.value);
    }
    return step.value;
  }
  const wrap = <T>(work: WorkFactory<T>): WorkFactory<T> => () => counted(work());
  const runNow = db.runNow;
  return Object.assign(Object.create(db) as CentreDatabase, {
    run: <T>(work: WorkFactory<T>) => db.run(wrap(work)),
    runNow: runNow && (<T>(work: WorkFactory<T>) => runNow(wrap(work))),
  });
}

/**
 * What one report costs in statements (docs/perf.md "Seventh session: a
 * report's cost"): the device and its supervision state are read once
 * however many function tests the report carries, and written once; on
 * PostgreSQL, where each statement is a round trip, the report's events go
 * in one multi-row insert, and on both engines its report_errors rows.
 * Before: one select of the device per function test (and of its state, and
 * a write of it, for a registered PBX), and two statements per error.
 */
onBothEngines(t, 'a report of one error and one function test takes a fixed few statements, registered or not', async (t, f) => {
  const db = await f.open();
  const seen = { statements: 0 };
  const store = new DatabaseReportStore(counting(db, seen));
  const pg = f.engine === 'postgres';

  await store.appendReport(encodeReport(sampleReport({ systemId: 'PBX-UNREG', seq: 1, records: [error(1, T0), test(2, T0 + 1)] })), T0 + 10);
  // report, records seen, events (one each on SQLite), report_errors, the device.
  t.equal(seen.statements, pg ? 5 : 6, 'an unregistered PBX: the device looked up once, not once more per function test');

  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), { now: () => T0 });
  await registry.add('PBX-REG', 'pbx', { supervise: 'reports', functionTestPeriodMs: 24 * HOUR }, { actor: 'test' });
  seen.statements = 0;
  await store.appendReport(encodeReport(sampleReport({ systemId: 'PBX-REG', seq: 1, records: [error(1, T0), test(2, T0 + 1), test(3, T0 + 2)] })), T0 + 10);
  // report, records seen, events, report_errors, the device, its state, the state written, and the test's first ok clearing any overdue and outside-window events (two updates).
  t.equal(seen.statements, pg ? 9 : 11, 'a registered PBX with two function tests: device and state read once, written once');
  t.equal((await new SupervisionStates(db).get('PBX-REG'))?.lastFunctionTestAt, T0 + 2, 'the state written is the one after the last function test');
});

/**
 * Each report_errors row points to the event of its own error, however the
 * events were inserted (PostgreSQL's multi-row insert returns its rows in no
 * promised order): errors with the same time, with the same id at another
 * time, and a function test among them.
 */
onBothEngines(t, 'every error of a report is linked to its own event', async (t, f) => {
  const db = await f.open();
  const store = new DatabaseReportStore(db);
  const records = [error(9, T0 + 5), error(3, T0 + 5), test(4, T0 + 6), error(7, T0 + 1), error(7, T0 + 2)];
  await store.appendReport(encodeReport(sampleReport({ seq: 1, records })), T0 + 10);
  const rows = await db.kysely
    .selectFrom('report_errors')
    .innerJoin('events', 'events.id', 'report_errors.event_id')
    .select(['report_errors.error_id', 'report_errors.error_time', 'events.occurred_at', 'events.type', 'events.data'])
    .orderBy('report_errors.error_id')
    .orderBy('report_errors.error_time')
    .execute();
  t.same(
    rows.map((r) => `${r.error_id}@${Number(r.error_time) - T0}`),
    ['3@5', '4@6', '7@1', '7@2', '9@5'],
    'one report_errors row per record',
  );
  for (const r of rows) {
    const data = JSON.parse(r.data) as { errorId: number };
    t.same([data.errorId, Number(r.occurred_at)], [Number(r.error_id), Number(r.error_time)], `error ${r.error_id}@${Number(r.error_time) - T0} points to its own event`);
    t.equal(r.type, Number(r.error_id) === 4 ? 'function-test' : 'class-b-error', `error ${r.error_id}'s event has its type`);
  }
  t.equal((await new EventLog(db).list({ deviceId: 'PBX0001' })).length, 5, 'an event per record, no more');
});

/**
 * The function tests of one report are judged one after the other, each on
 * the state the one before left, with the events in that order: a test
 * outside the expected window raises `outside-test-window`, and the next
 * one, inside it, clears that event again and leaves the test ok.
 */
onBothEngines(t, 'a report with a test outside and then one inside the window: the first raises the event, the second clears it', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), { now: () => T0 });
  await registry.add('PBX-W', 'pbx', { supervise: 'reports', functionTestPeriodMs: 24 * HOUR, testWindow: { startMin: 120, endMin: 240 } }, { actor: 'test' });
  const store = new DatabaseReportStore(db);
  // T0 is 08:00 UTC: +17 h is 01:00 (outside 02:00–04:00), +19 h 03:00 (inside).
  await store.appendReport(encodeReport(sampleReport({ systemId: 'PBX-W', seq: 1, records: [test(1, T0 + 17 * HOUR), test(2, T0 + 19 * HOUR)] })), T0 + 21 * HOUR);
  const state = await new SupervisionStates(db).get('PBX-W');
  t.same([state?.presence, state?.test, state?.lastFunctionTestAt], ['ok', 'ok', T0 + 19 * HOUR], 'present, the test ok, the last test the one in the window');
  const supervision = (await new EventLog(db).list({ deviceId: 'PBX-W' })).filter((e) => e.source === 'supervision').map((e) => `${e.type}:${e.life}`);
  t.same(supervision, ['outside-test-window:cleared'], 'the first test raised outside-test-window, the second cleared it');

  await store.appendReport(encodeReport(sampleReport({ systemId: 'PBX-W', seq: 2, records: [test(3, T0 + 43 * HOUR), test(4, T0 + 41 * HOUR)] })), T0 + 44 * HOUR);
  const after = await new SupervisionStates(db).get('PBX-W');
  t.same([after?.test, after?.lastFunctionTestAt], ['outside-window', T0 + 43 * HOUR], 'the last one judged (outside the window) sets the test; the later test time is kept');
  const active = (await new EventLog(db).list({ deviceId: 'PBX-W', life: 'active' })).map((e) => e.type);
  t.same(active, ['outside-test-window'], 'and its event stays active');
});
