import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { storeCheckIn, type CheckInTelegram } from '../../src/centre/check-in-store.js';
import { Supervisor } from '../../src/centre/supervisor.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { SupervisionStates } from '../../src/database/supervision-states.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { sampleReport } from '../support/sample-report.js';
import type { PortalAccount } from '../../src/database/portal-accounts.js';
import { AccessScope } from '../../src/portal/access-scope.js';
import { fleetOverview } from '../../src/portal/fleet-overview.js';

const by = { actor: 'test' };
/** 2026-01-05 00:00 UTC. */
const T0 = Date.UTC(2026, 0, 5);
const S = 1000;

let counter = 0;
function checkIn(db: CentreDatabase, deviceId: string, at: number, events: CheckInTelegram['body']['events'] = []) {
  const telegram = { type: 'check-in', deviceId, counter: ++counter, time: Math.floor(at / 1000), nonce: new Uint8Array(12), body: events.length ? { events } : {} } as CheckInTelegram;
  return db.run(() => storeCheckIn(db.kysely, { telegram, receivedAt: at, source: '127.0.0.1:1', window: undefined }));
}

async function rig(f: { open(): Promise<CentreDatabase>; stateDir: string }) {
  const db = await f.open();
  const clock = new VirtualClock(T0);
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), clock);
  const supervisor = new Supervisor({ db, clock });
  const events = new EventLog(db);
  const at = async (ms: number) => {
    clock.advance(ms - clock.now());
    return supervisor.step();
  };
  const types = async (deviceId: string) => (await events.list({ deviceId })).reverse().map((e) => `${e.type}:${e.life}`);
  return { db, clock, registry, supervisor, events, at, types, states: new SupervisionStates(db) };
}

onBothEngines(t, 'late after interval + grace, missing after k intervals, present again at the next check-in', async (t, f) => {
  const r = await rig(f);
  await r.registry.add('SD-1', 'key-depot', { checkInIntervalMs: 60 * S, graceMs: 30 * S, missingAfter: 3 }, by);
  await r.supervisor.start();
  await r.supervisor.stop();
  await r.at(T0);
  await checkIn(r.db, 'SD-1', T0 + 10 * S);
  t.equal((await r.states.get('SD-1'))?.presence, 'ok', 'the first check-in makes the device present');
  await r.at(T0 + 99 * S);
  t.same(await r.types('SD-1'), [], 'nothing before interval + grace has passed');
  await r.at(T0 + 100 * S);
  t.same(await r.types('SD-1'), ['late:active'], 'late at last check-in + interval + grace');
  await r.at(T0 + 189 * S);
  t.same(await r.types('SD-1'), ['late:active'], 'still only late before k intervals');
  await r.at(T0 + 190 * S);
  t.same(await r.types('SD-1'), ['late:cleared', 'missing:active'], 'missing at last check-in + k × interval; the late event is cleared');
  const s = await r.states.get('SD-1');
  t.same([s?.presence, s?.presenceSince], ['missing', T0 + 190 * S], 'the state says since when');
  await checkIn(r.db, 'SD-1', T0 + 400 * S);
  t.same(await r.types('SD-1'), ['late:cleared', 'missing:cleared', 'present:cleared'], 'a check-in clears missing and says the device is present again');
  t.equal((await r.states.get('SD-1'))?.nextCheckAt, T0 + 490 * S, 'the next deadline is the new late time');
});

onBothEngines(t, 'a registered device that never checks in goes late and missing from its registration', async (t, f) => {
  const r = await rig(f);
  await r.registry.add('SD-2', 'key-depot', { checkInIntervalMs: 60 * S, graceMs: 0, missingAfter: 2 }, by);
  await r.at(T0 + 60 * S);
  t.same(await r.types('SD-2'), ['late:active'], 'late one interval after registration');
  await r.at(T0 + 10 * 60 * S);
  t.same(await r.types('SD-2'), ['late:cleared', 'missing:active'], 'then missing');
});

onBothEngines(t, 'function tests: overdue after period + grace, ok inside the window, flagged outside it', async (t, f) => {
  const r = await rig(f);
  const day = 86_400 * S;
  await r.registry.add('HSIM-1', 'pbx', { checkInIntervalMs: day, graceMs: day, missingAfter: 10, functionTestPeriodMs: day, testGraceMs: 3600 * S, testWindow: { startMin: 120, endMin: 240 } }, by);
  await r.at(T0);
  await r.at(T0 + day + 3600 * S - 1);
  t.same(await r.types('HSIM-1'), [], 'not overdue before period + test grace');
  await r.at(T0 + day + 3600 * S);
  t.same(await r.types('HSIM-1'), ['function-test-overdue:active'], 'overdue then');
  const inWindow = T0 + 2 * day + 3 * 3600 * S;
  await checkIn(r.db, 'HSIM-1', inWindow, [{ seq: 1, time: inWindow / 1000, type: 'function-test', class: 'B', code: 65520, location: '', text: 'function test', errorTime: inWindow }]);
  t.same((await r.types('HSIM-1')).filter((e) => !e.startsWith('function-test:')), ['function-test-overdue:cleared'], 'a test at 03:00 (inside 02:00–04:00) clears it');
  t.equal((await r.states.get('HSIM-1'))?.test, 'ok', 'and the test state is ok');
  const outside = T0 + 3 * day + 12 * 3600 * S;
  await checkIn(r.db, 'HSIM-1', outside, [{ seq: 2, time: outside / 1000, type: 'function-test', class: 'B', code: 65520, location: '', text: 'function test', errorTime: outside }]);
  t.equal((await r.states.get('HSIM-1'))?.test, 'outside-window', 'a test at 12:00 is outside its expected window');
  t.ok((await r.types('HSIM-1')).includes('outside-test-window:active'), 'which is an event');
});

onBothEngines(t, 'a step reads only what is due, not the fleet', async (t, f) => {
  const r = await rig(f);
  for (let i = 0; i < 200; i++) await r.registry.add(`D-${i}`, 'key-depot', {}, by);
  t.equal(await r.at(T0), 200, 'the first step judges every new device once');
  for (let i = 0; i < 200; i++) await checkIn(r.db, `D-${i}`, T0 + S);
  t.equal(await r.at(T0 + 30 * S), 0, 'with everyone checked in, a step judges no device');
  t.equal(await r.at(T0 + 60 * S), 0, 'nor a minute later, before anyone is late');
  await checkIn(r.db, 'D-7', T0 + 2 * S);
  t.equal(await r.at(T0 + 91 * S), 200, "at the first deadline every device is judged once: its check-ins left it there (the intake's presentAgain)");
  const late = async () => (await r.events.list({ type: 'late' })).map((e) => e.deviceId).sort();
  t.equal((await late()).length, 199, 'the 199 silent since T0 + 1 s are late');
  t.notOk((await late()).includes('D-7'), 'D-7, heard at T0 + 2 s, is not: its deadline moved on to then + interval + grace');
  t.equal(await r.at(T0 + 91 * S + 500), 0, 'so the next step judges no one');
  t.equal(await r.at(T0 + 92 * S), 1, 'until D-7 is due');
  t.ok((await late()).includes('D-7'), 'and late, exactly as if each check-in had moved its deadline');
});

onBothEngines(t, 'a burst of check-ins moves the deadline only now and then, and the outcomes stay the same: late exactly at last check-in + interval + grace, missing at k intervals', async (t, f) => {
  const r = await rig(f);
  await r.registry.add('SD-L', 'key-depot', { checkInIntervalMs: 60 * S, graceMs: 30 * S, missingAfter: 3 }, by);
  await r.at(T0);
  await checkIn(r.db, 'SD-L', T0 + 10 * S);
  t.same([(await r.states.get('SD-L'))?.presence, (await r.states.get('SD-L'))?.nextCheckAt], ['ok', T0 + 100 * S], 'the first check-in (device not yet present) sets the deadline by the rules');
  // A burst: a check-in every second for 40 s (a device sending its queue after an outage), the supervisor stepping each second.
  let judged = 0;
  for (let at = T0 + 11 * S; at <= T0 + 50 * S; at += S) {
    await checkIn(r.db, 'SD-L', at);
    judged += await r.at(at);
  }
  const burst = await r.states.get('SD-L');
  t.same([burst?.lastCheckInAt, burst?.nextCheckAt], [T0 + 50 * S, T0 + 100 * S], 'every check-in stored its time; none of the 40 moved the deadline (90 s left, 1 s since the one before)');
  t.equal(judged, 0, 'nor did the supervisor look at it');
  // Silence after the burst.
  for (let at = T0 + 51 * S; at < T0 + 140 * S; at += S) judged += await r.at(at);
  t.equal(judged, 1, 'at the old deadline the supervisor judged it once');
  t.same(await r.types('SD-L'), [], 'present by its last check-in: no event');
  t.equal((await r.states.get('SD-L'))?.nextCheckAt, T0 + 140 * S, 'and moved the deadline to last check-in + interval + grace');
  await r.at(T0 + 140 * S);
  t.same(await r.types('SD-L'), ['late:active'], 'late at exactly last check-in + interval + grace');
  for (let at = T0 + 141 * S; at < T0 + 230 * S; at += S) await r.at(at);
  t.same(await r.types('SD-L'), ['late:active'], 'not missing before k intervals');
  await r.at(T0 + 230 * S);
  t.same(await r.types('SD-L'), ['late:cleared', 'missing:active'], 'missing at exactly last check-in + k × interval');
});

onBothEngines(t, 'a device checking in on its schedule moves its deadline with every check-in, as before: the supervisor never needs to look at it', async (t, f) => {
  const r = await rig(f);
  await r.registry.add('SD-N', 'key-depot', { checkInIntervalMs: 60 * S, graceMs: 30 * S, missingAfter: 3 }, by);
  await r.at(T0);
  let judged = 0;
  for (let at = T0 + 10 * S; at <= T0 + 1210 * S; at += 60 * S) {
    await checkIn(r.db, 'SD-N', at);
    t.equal((await r.states.get('SD-N'))?.nextCheckAt, at + 90 * S, `check-in at +${(at - T0) / S} s: the deadline is then + interval + grace`);
    for (let s = at + S; s < at + 60 * S; s += 10 * S) judged += await r.at(s);
  }
  t.equal(judged, 0, 'twenty minutes on schedule: never judged');
  t.same(await r.types('SD-N'), [], 'and no event');
});

onBothEngines(t, 'a PBX without the LAN option is supervised by its reports by modem: late after the function-test period + grace, never after a check-in interval', async (t, f) => {
  const r = await rig(f);
  const day = 86_400 * S;
  const hour = 3600 * S;
  await r.registry.add('HSIM-9', 'pbx', { supervise: 'reports', functionTestPeriodMs: day, testGraceMs: 2 * hour, missingAfter: 3 }, by);
  await r.registry.add('HSIM-LAN', 'pbx', {}, by);
  await t.rejects(r.registry.add('SD-9', 'key-depot', { supervise: 'reports' }, by), /only a PBX sends reports by modem/, 'a key depot cannot be supervised by reports');
  const store = new DatabaseReportStore(r.db);
  let seq = 0;
  const report = async (at: number, pseudo: boolean, systemId = 'HSIM-9') => {
    r.clock.advance(at - r.clock.now());
    const rec = { id: ++seq, time: at, cls: 'B' as const, code: pseudo ? PSEUDO_ERROR_CODE : 0x0210, location: pseudo ? '' : 'S1/P3', text: pseudo ? 'Function test' : 'Trunk 3 no dial tone', pseudo };
    await store.appendReport(encodeReport(sampleReport({ systemId, seq, time: at, records: [rec] })), at);
  };
  await r.at(T0 + 10 * 60 * S);
  t.same(await r.types('HSIM-9'), [], 'ten minutes without a check-in: not late (a check-in-supervised PBX would be after 90 s)');
  t.equal((await r.states.get('HSIM-9'))?.presence, 'unknown', 'not heard yet');
  const overview = async (id: string) => (await fleetOverview(r.db.kysely, new AccessScope({ id: 1, role: 'manager' } as PortalAccount, []))).rows.find((row) => row.id === id)?.state;
  t.equal(await overview('HSIM-9'), 'unknown', 'the overview says "No check-in yet", not late');
  t.same(await r.types('HSIM-LAN'), ['missing:active'], 'the PBX supervised by check-ins is missing by then (the contrast)');

  await report(T0 + hour, true);
  const heard = await r.states.get('HSIM-9');
  t.same([heard?.presence, heard?.test, heard?.lastCheckInAt], ['ok', 'ok', T0 + hour], 'its function-test report makes it present, the test done');
  t.equal(heard?.nextCheckAt, T0 + hour + day + 2 * hour, 'next looked at when the next function test is due, with its grace');
  t.equal(await overview('HSIM-9'), 'ok', 'the overview shows it OK after its report');
  await r.at(T0 + hour + day + 2 * hour - 1);
  t.same((await r.types('HSIM-9')).filter((e) => e !== 'function-test:cleared'), [], 'nothing before period + grace');
  await r.at(T0 + hour + day + 2 * hour);
  t.same((await r.types('HSIM-9')).filter((e) => e !== 'function-test:cleared'), ['late:active', 'function-test-overdue:active'], 'late (and the test overdue) after period + grace without a report');
  const late = (await r.events.list({ deviceId: 'HSIM-9' })).find((e) => e.type === 'late');
  t.match(late?.data, { by: 'reports', intervalMs: day, graceMs: 2 * hour }, 'the late event says what it was judged by');
  t.equal(await overview('HSIM-9'), 'late', 'and the overview shows it late');

  await report(T0 + 2 * day, false);
  t.equal((await r.states.get('HSIM-9'))?.presence, 'ok', 'a class-B report by modem is a sign of life too');
  t.ok((await r.types('HSIM-9')).includes('present:cleared'), 'present again');
  await r.at(T0 + 2 * day + 3 * day);
  t.equal((await r.states.get('HSIM-9'))?.presence, 'missing', 'missing after k periods without a report');

  await report(T0 + 5 * day + hour, false, 'HSIM-LAN');
  t.equal((await r.states.get('HSIM-LAN'))?.presence, 'missing', 'a report by modem does not change the presence of a PBX supervised by its check-ins');
  await r.registry.update('HSIM-LAN', { supervise: 'reports' }, by);
  await report(T0 + 5 * day + 2 * hour, false, 'HSIM-LAN');
  t.equal((await r.states.get('HSIM-LAN'))?.presence, 'ok', 'switched to reports, its next report makes it present');
});
