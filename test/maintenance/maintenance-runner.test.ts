import t, { type Test } from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MaintenanceRecords, type PlanRecord } from '../../src/database/maintenance-records.js';
import type { MaintenanceStep } from '../../src/maintenance/maintenance-plan.js';
import { MaintenanceRunner, type WindowSummary } from '../../src/maintenance/maintenance-runner.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines, type EngineFixture } from '../support/both-engines.js';
import { FakeVisitor, type FakeDevice } from '../support/fake-visitor.js';

/** Monday 7 December 2026, 12:00 UTC: the plan's first window opens at 20:00 UTC. */
const START = Date.UTC(2026, 11, 7, 12, 0);
const STEPS: MaintenanceStep[] = ['errors', 'kds-backup', 'archive', 'function-test'];

async function rig(t: Test, f: EngineFixture, plan: Partial<Omit<PlanRecord, 'id'>>, limits = { modems: 8, lanConcurrency: 64 }) {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const clock = new VirtualClock(START);
  const visitor = new FakeVisitor(clock);
  const records = new MaintenanceRecords(db);
  const by = { actor: 'test' };
  const add = async (id: string, over: Partial<FakeDevice> = {}, customer = 'Müller') => {
    await registry.add(id, 'pbx', { customerName: customer }, by);
    return visitor.add(id, over);
  };
  const makePlan = async (devices: string[]) => records.addPlan({
    name: 'nightly', selection: { devices }, windowCron: '0 20 * * *', windowMinutes: 60, timeZone: 'UTC', holidays: [], steps: STEPS,
    targetAps: null, loadAps: false, backupRetention: 7, maxRetries: 2, serviceUser: 'service', createdAt: START, createdBy: 'test', ...plan,
  }, by);
  const runner = new MaintenanceRunner({ clock, records, visitor, ...limits, retryBackoffMs: 30_000, busyRetryMs: 5 * 60_000 });
  const night = (p: PlanRecord): Promise<WindowSummary | undefined> => runInVirtualTime(clock, runner, runner.runNextWindow(p));
  void t;
  return { db, clock, visitor, records, add, makePlan, runner, night };
}

onBothEngines(t, 'a night: every device visited in the window, steps in order, every step recorded', async (t, f) => {
  const r = await rig(t, f, {});
  const a = await r.add('HSIM-0001');
  const b = await r.add('HSIM-0002', { channel: 'modem' });
  const plan = await r.makePlan(['HSIM-0001', 'HSIM-0002']);
  const s = await r.night(plan);
  t.match(s, { devices: 2, done: 2, failed: 0, cut: 0, notVisited: 0 }, 'both visited');
  t.equal(s?.window.start, Date.UTC(2026, 11, 7, 20, 0), 'in the window that opened at 20:00');
  t.same(a.ran, STEPS, 'the LAN PBX: the steps in the plan order');
  t.same(b.ran, STEPS, 'the modem PBX too');
  const h = await r.records.history({ deviceId: 'HSIM-0002' });
  t.equal(h.length, 1, 'one visit recorded for the modem PBX');
  t.match(h[0], { state: 'done', channel: 'modem', nextStep: STEPS.length }, 'done, over the modem');
  t.same(h[0].steps.map((x) => [x.step, x.outcome]), [['connect', 'ok'], ...STEPS.map((x) => [x, 'ok']), ['disconnect', 'ok']], 'connect, each step, disconnect: each with its outcome');
  const errors = h[0].steps[1];
  t.ok(errors.startedAt >= Date.UTC(2026, 11, 7, 20, 0) && errors.endedAt - errors.startedAt === 60_000, 'start and end of a step in virtual time');
  t.match(errors, { output: 'errors output', bytes: 1000 }, 'its output and bytes stored');
  t.ok(h[0].endedAt !== null && (h[0].endedAt ?? 0) <= Date.UTC(2026, 11, 7, 21, 0), 'ended inside the window');
  const again = await r.runner.runWindow(plan, s!.window);
  t.match(again, { done: 2 }, 'the same window again visits nobody twice');
  t.equal((await r.records.history({ deviceId: 'HSIM-0002' })).length, 1, 'still one visit');
});

onBothEngines(t, 'a visit cut by the window end resumes at the next window from the first unfinished step', async (t, f) => {
  const r = await rig(t, f, { windowMinutes: 30 });
  // Each step takes 8 minutes: after three (24 min 10 s with the connect) the function test's budget of 10 min does not fit in the 30.
  const d = await r.add('HSIM-0001', { stepMs: 8 * 60_000 });
  const plan = await r.makePlan(['HSIM-0001']);
  const first = await r.night(plan);
  t.match(first, { cut: 1, done: 0 }, 'the first night ends cut');
  t.same(d.ran, ['errors', 'kds-backup', 'archive'], 'three steps done');
  let h = await r.records.history({ deviceId: 'HSIM-0001' });
  t.match(h[0], { state: 'cut', nextStep: 3 }, 'cut, next step: the function test');
  t.match(h[0].steps.at(-1), { step: 'function-test', outcome: 'not-started' }, 'the function test was not started, and that is recorded');
  t.match(h[0].steps.at(-1)?.output, /would cross the window's end/, 'with why');
  t.ok(h[0].steps.every((x) => x.endedAt <= first!.window.end), 'nothing ran past the end');
  const second = await r.night(plan);
  t.equal(second?.window.start, first!.window.start + 24 * 3600_000, 'the next night');
  t.match(second, { done: 1 }, 'done the second night');
  t.same(d.ran, STEPS, 'each step exactly once over both nights: nothing twice, nothing lost');
  h = await r.records.history({ deviceId: 'HSIM-0001' });
  t.equal(h.length, 1, 'the same visit, resumed');
  t.match(h[0], { state: 'done', windowStart: second!.window.start }, 'done in the second window');
});

onBothEngines(t, "the plan's function-test wait is the step's budget: a wait that would cross the window's end is not started", async (t, f) => {
  const r = await rig(t, f, { windowMinutes: 30, functionTestWaitMinutes: 25 });
  // Three steps of 3 min and the connect: 10 min gone; a 25-min wait and its minute do not fit in the 20 left, a 10-min one does.
  const long = await r.add('HSIM-0001', { stepMs: 3 * 60_000 });
  const short = await r.add('HSIM-0002', { stepMs: 3 * 60_000 });
  const plan = await r.makePlan(['HSIM-0001']);
  t.equal(plan.functionTestWaitMinutes, 25, 'the plan keeps its wait');
  const other = await r.records.addPlan({ ...plan, name: 'short-wait', selection: { devices: ['HSIM-0002'] }, functionTestWaitMinutes: 10 }, { actor: 'test' });
  t.match(await r.night(plan), { cut: 1, done: 0 }, 'the long wait: cut');
  t.same(long.ran, ['errors', 'kds-backup', 'archive'], 'the function test was not started');
  const [cut] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.match(cut.steps.at(-1), { step: 'function-test', outcome: 'not-started' }, 'recorded as not started');
  t.match(cut.steps.at(-1)?.output, /its 26 min would cross the window's end/, "with the plan's wait in the budget");
  t.match(await runInVirtualTime(r.clock, r.runner, r.runner.runWindow(other, { start: r.clock.now(), end: r.clock.now() + 30 * 60_000 })), { done: 1 }, 'the short wait: done');
  t.same(short.ran, STEPS, 'its function test ran');
  t.equal((await r.records.plan('nightly'))?.functionTestWaitMinutes, 25, 'stored and read back');
  t.equal((await r.records.plan('short-wait'))?.functionTestWaitMinutes, 10, 'each plan its own');
});

onBothEngines(t, 'retries with back-off after a line break, a failing step gives up, and a busy PBX is skipped and visited later', async (t, f) => {
  const r = await rig(t, f, { windowMinutes: 120 });
  const flaky = await r.add('HSIM-0001', { failures: { 'kds-backup': 1 } });
  const broken = await r.add('HSIM-0002', { failures: { archive: 5 } });
  const busy = await r.add('HSIM-0003', { busyUntil: Date.UTC(2026, 11, 7, 20, 12) });
  const plan = await r.makePlan(['HSIM-0001', 'HSIM-0002', 'HSIM-0003']);
  const s = await r.night(plan);
  t.match(s, { done: 2, failed: 1 }, 'two done, one failed');
  t.ok((s?.busySkips ?? 0) >= 2, `the busy PBX was skipped ${s?.busySkips} times`);
  t.same(flaky.ran, STEPS, 'the flaky one completed');
  const fh = (await r.records.history({ deviceId: 'HSIM-0001' }))[0];
  t.same(fh.steps.map((x) => `${x.step}:${x.outcome}:${x.attempt}`), ['connect:ok:1', 'errors:ok:1', 'kds-backup:failed:1', 'connect:ok:2', 'kds-backup:ok:2', 'archive:ok:1', 'function-test:ok:1', 'disconnect:ok:1'], 'the line broke at kds-backup: connected again, the step retried');
  const retry = fh.steps[3].startedAt - fh.steps[2].endedAt;
  t.equal(retry, 30_000, 'after the back-off');
  const bh = (await r.records.history({ deviceId: 'HSIM-0002' }))[0];
  t.equal(bh.state, 'failed', 'three failed archive attempts (1 + 2 retries): the visit failed');
  t.match(bh.detail, /archive failed 3 times/, 'with why');
  const gaps = bh.steps.filter((x) => x.step === 'archive').map((x) => x.startedAt);
  t.ok(gaps[2] - gaps[1] > gaps[1] - gaps[0], 'the back-off grows');
  t.same(broken.ran, ['errors', 'kds-backup'], 'the steps before the failing one are done');
  const uh = (await r.records.history({ deviceId: 'HSIM-0003' }))[0];
  t.ok(uh.steps.filter((x) => x.outcome === 'busy').length >= 2, 'every skip is recorded as busy');
  t.match(uh.steps.find((x) => x.outcome === 'busy')?.output, /technician/, 'with what the PBX showed');
  t.same(busy.ran, STEPS, 'visited once the technician left');
  t.ok(uh.steps.find((x) => x.outcome === 'ok')!.startedAt >= Date.UTC(2026, 11, 7, 20, 12), 'not before');
});

onBothEngines(t, 'at most N visits at once per channel; a customer filter', async (t, f) => {
  const r = await rig(t, f, {}, { modems: 2, lanConcurrency: 3 });
  for (let i = 1; i <= 6; i++) await r.add(`HSIM-L${i}`, { stepMs: 30_000 }, 'Acme');
  for (let i = 1; i <= 5; i++) await r.add(`HSIM-M${i}`, { channel: 'modem', stepMs: 30_000 }, 'Acme');
  await r.add('HSIM-OTHER', {}, 'Other');
  const plan = await r.records.addPlan({ name: 'acme', selection: { customer: 'Acme' }, windowCron: '0 20 * * *', windowMinutes: 120, timeZone: 'UTC', holidays: [], steps: STEPS, targetAps: null, loadAps: false, backupRetention: 7, maxRetries: 0, serviceUser: 'service', createdAt: START, createdBy: 'test' }, { actor: 'test' });
  const s = await r.night(plan);
  t.match(s, { devices: 11, done: 11 }, 'every PBX of the customer, and no other');
  t.same(r.visitor.devices.get('HSIM-OTHER')?.ran, [], 'the other customer untouched');
  t.same(r.visitor.peak, { lan: 3, modem: 2 }, 'never more than 3 LAN and 2 modem visits at once, and the limits are used');
});

onBothEngines(t, 'a centre killed mid-visit: the next run takes the visit up at its first unfinished step', async (t, f) => {
  const r = await rig(t, f, {});
  const d = await r.add('HSIM-0001');
  const plan = await r.makePlan(['HSIM-0001']);
  // What a killed centre leaves: a visit still "running", its first step recorded done with the next-step pointer.
  const earlier = Date.UTC(2026, 11, 6, 20, 0);
  const visit = await r.records.startVisit({ planId: plan.id, deviceId: 'HSIM-0001', windowStart: earlier, at: earlier });
  await r.records.recordStep({ visitId: visit.id, step: 'errors', attempt: 1, startedAt: earlier, endedAt: earlier + 60_000, outcome: 'ok', output: 'filed', bytes: 500 }, { nextStep: 1, channel: 'lan' });
  const s = await r.night(plan);
  t.match(s, { done: 1 }, 'done in the next window');
  t.same(d.ran, STEPS.slice(1), 'the error memory is not read twice: the visit goes on from the KDS backup');
  const h = await r.records.history({ deviceId: 'HSIM-0001' });
  t.equal(h.length, 1, 'the same visit, not a new one');
  t.same(h[0].steps.filter((x) => x.step === 'errors').length, 1, 'one errors step in the record');
  t.match(h[0], { state: 'done', windowStart: s!.window.start }, 'finished in the new window');
});

onBothEngines(t, 'an aps step that only checks counts one minute against the window, one that loads its thirty', async (t, f) => {
  const r = await rig(t, f, {});
  await r.add('HSIM-0001', { stepMs: 10_000 });
  await r.add('HSIM-0002', { stepMs: 10_000 });
  const check = await r.records.addPlan({
    name: 'check', selection: { devices: ['HSIM-0001'] }, windowCron: '0 20 * * *', windowMinutes: 20, timeZone: 'UTC', holidays: [], steps: ['aps'],
    targetAps: 'HE300M.00.002.01', loadAps: false, backupRetention: 7, maxRetries: 0, serviceUser: 'service', createdAt: START, createdBy: 'test',
  }, { actor: 'test' });
  const load = await r.records.addPlan({ ...check, name: 'load', selection: { devices: ['HSIM-0002'] }, loadAps: true }, { actor: 'test' });
  t.match(await r.night(check), { done: 1, cut: 0 }, 'a 20-minute window holds a check-only aps step');
  t.match(await r.night(load), { done: 0, cut: 1 }, 'but not a load, whose budget is 30 minutes');
  const [cut] = await r.records.history({ deviceId: 'HSIM-0002' });
  t.match(cut.steps.find((s) => s.step === 'aps'), { outcome: 'not-started', output: /its 30 min would cross the window's end/ }, 'the load not started, and why');
});
