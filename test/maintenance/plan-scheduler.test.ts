import t, { type Test } from 'tap';
import { VirtualClock, type Clock, type TimerHandle } from '../../core/clock.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MaintenanceRecords, type NewPlanRecord } from '../../src/database/maintenance-records.js';
import { MAINTENANCE_SCHEDULE_TOPIC, MaintenanceWindows } from '../../src/database/maintenance-windows.js';
import { MemoryEventBus } from '../../src/database/memory-event-bus.js';
import { nextWindow, type MaintenanceStep } from '../../src/maintenance/maintenance-plan.js';
import { MaintenancePlans } from '../../src/maintenance/maintenance-plans.js';
import { PlanScheduler, WINDOW_LEASE_MS } from '../../src/maintenance/plan-scheduler.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines, type EngineFixture } from '../support/both-engines.js';
import { FakeVisitor } from '../support/fake-visitor.js';

/*
 * The scheduler inside `centre serve` in virtual time (docs/maintenance-plans.md):
 * windows open and close at the instants croner names per time zone,
 * holidays and a night the clocks change included; plans and devices
 * changed while it runs; a centre killed inside a window and started again;
 * a window missed while no centre ran; two schedulers on one database.
 */

const STEPS: MaintenanceStep[] = ['errors', 'kds-backup', 'archive', 'function-test'];
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** A clock whose timers stop firing when the process it stands for is killed: what a SIGKILL does to a centre's pending work. */
class KillableClock implements Clock {
  #dead = false;
  constructor(private readonly clock: VirtualClock) {}
  now(): number {
    return this.clock.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.clock.setTimer(delayMs, () => {
      if (!this.#dead) fn();
    });
  }
  kill(): void {
    this.#dead = true;
  }
}

async function rig(t: Test, f: EngineFixture, start: number) {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const clock = new VirtualClock(start);
  const visitor = new FakeVisitor(clock);
  const records = new MaintenanceRecords(db);
  const by = { actor: 'test' };
  const add = async (id: string, timeZone: string | null = null) => {
    await registry.add(id, 'pbx', { customerName: 'Müller', timeZone }, by);
    return visitor.add(id);
  };
  const plan = (over: Partial<NewPlanRecord>) => records.addPlan({
    name: 'nightly', selection: { customer: 'Müller' }, windowCron: '0 20 * * *', windowMinutes: 60, timeZone: 'Europe/Berlin', holidays: [], steps: STEPS,
    targetAps: null, loadAps: false, backupRetention: 7, maxRetries: 2, serviceUser: 'service', createdAt: clock.now(), createdBy: 'test', ...over,
  }, by);
  const bus = new MemoryEventBus();
  const ended: string[] = [];
  const schedulers: PlanScheduler[] = [];
  /** Leases of 10 minutes unless a test is about them: fewer renewals to drive through a night. */
  const scheduler = (o: { clock?: Clock; db?: CentreDatabase; owner?: string; leaseMs?: number } = {}) => {
    const d = o.db ?? db;
    const s = new PlanScheduler({
      // A look every 10 minutes rather than every minute: a week of looks on PostgreSQL is real round trips.
      clock: o.clock ?? clock, records: new MaintenanceRecords(d), windows: new MaintenanceWindows(d), visitorFor: async () => visitor, modems: 8, bus, reloadMs: 10 * 60_000, leaseMs: o.leaseMs ?? 10 * 60_000,
      ...(o.owner ? { owner: o.owner } : {}),
      onWindowEnd: (p, zone, summary) => ended.push(`${p.name} ${zone} ${iso(summary.window.start)} done ${summary.done}`),
    });
    schedulers.push(s);
    return s;
  };
  /** Drive every scheduler's work in virtual time until `at`. */
  const all = { get working() { return schedulers.reduce((n, s) => n + s.working, 0); } };
  const until = (at: number) => runInVirtualTime(clock, all, new Promise<void>((resolve) => clock.setTimer(at - clock.now(), resolve)));
  t.teardown(async () => {
    for (const s of schedulers) await s.stop(0);
  });
  return { db, registry, clock, visitor, records, windows: new MaintenanceWindows(db), add, plan, bus, ended, scheduler, until, by };
}

/** Each visit of the device: the window it ran in and how it ended. */
async function visitsOf(records: MaintenanceRecords, id: string): Promise<string[]> {
  return (await records.history({ deviceId: id, limit: 100 })).reverse().map((v) => `${iso(v.windowStart)} ${v.state}`);
}

t.test('windows end by the clock on the wall in their zone, also on the nights the clocks change', async (t) => {
  const w = { cron: '0 20 * * *', minutes: 600, timeZone: 'Europe/Berlin', holidays: [] };
  const span = (at: number) => {
    const x = nextWindow(w, at);
    return x && `${iso(x.start)} – ${iso(x.end)}`;
  };
  t.equal(span(Date.UTC(2026, 9, 24, 12)), '2026-10-24T18:00:00.000Z – 2026-10-25T05:00:00.000Z', 'clocks go back: 20:00 CEST to 06:00 CET, 11 hours');
  t.equal(span(Date.UTC(2026, 9, 25, 4, 30)), '2026-10-24T18:00:00.000Z – 2026-10-25T05:00:00.000Z', 'still open in its eleventh hour');
  t.equal(span(Date.UTC(2026, 9, 25, 12)), '2026-10-25T19:00:00.000Z – 2026-10-26T05:00:00.000Z', 'the next night: 20:00 CET, 10 hours');
  t.equal(span(Date.UTC(2026, 2, 28, 12)), '2026-03-28T19:00:00.000Z – 2026-03-29T04:00:00.000Z', 'clocks go forward: 20:00 CET to 06:00 CEST, 9 hours');
  t.equal(span(Date.UTC(2026, 2, 29, 4, 30)), '2026-03-29T18:00:00.000Z – 2026-03-30T04:00:00.000Z', 'closed at 06:30 CEST: the next one is 20:00 CEST');
});

onBothEngines(t, 'a week of nights: Berlin and Lisbon devices an hour apart, weekdays only, no window on holidays, the ledger says each window ended', async (t, f) => {
  // Monday 21 December 2026, noon UTC.
  const r = await rig(t, f, Date.UTC(2026, 11, 21, 12));
  await r.add('HSIM-BER1');
  await r.add('HSIM-BER2');
  await r.add('HSIM-LIS1', 'Europe/Lisbon');
  const plan = await r.plan({ windowCron: '0 20 * * 1-5', holidays: ['2026-12-24', '2026-12-25'] });
  const zones = await new MaintenancePlans(r.records).zoneWindows(plan, r.clock.now(), 2);
  t.same(zones.map((z) => `${z.timeZone} ${z.devices.join(',')} ${z.windows.map((w) => iso(w.start)).join(' ')}`), [
    'Europe/Berlin HSIM-BER1,HSIM-BER2 2026-12-21T19:00:00.000Z 2026-12-22T19:00:00.000Z',
    'Europe/Lisbon HSIM-LIS1 2026-12-21T20:00:00.000Z 2026-12-22T20:00:00.000Z',
  ], 'what plan show, plan list and the portal print: the next windows per zone group, earliest first');
  const s = r.scheduler();
  await runInVirtualTime(r.clock, s, s.start());
  t.same(s.scheduled().map((x) => `${x.plan} ${x.timeZone} ${x.state} ${x.window ? iso(x.window.start) : '-'}`), [
    'nightly Europe/Berlin waiting 2026-12-21T19:00:00.000Z',
    'nightly Europe/Lisbon waiting 2026-12-21T20:00:00.000Z',
  ], 'one window per time zone: 20:00 in Berlin is 19:00 UTC, in Lisbon 20:00 UTC');
  await r.until(Date.UTC(2026, 11, 28, 12));
  const nights = ['2026-12-21', '2026-12-22', '2026-12-23'];
  t.same(await visitsOf(r.records, 'HSIM-BER1'), nights.map((d) => `${d}T19:00:00.000Z done`), 'Berlin: Monday to Wednesday at 19:00 UTC; Thursday and Friday are holidays, the weekend is not in 1-5');
  t.same(await visitsOf(r.records, 'HSIM-BER2'), nights.map((d) => `${d}T19:00:00.000Z done`), 'the other Berlin PBX in the same windows');
  t.same(await visitsOf(r.records, 'HSIM-LIS1'), nights.map((d) => `${d}T20:00:00.000Z done`), 'Lisbon an hour later, on the same dates');
  for (const id of ['HSIM-BER1', 'HSIM-LIS1']) {
    for (const v of await r.records.history({ deviceId: id })) {
      const w = nextWindow({ cron: plan.windowCron, minutes: 60, timeZone: id === 'HSIM-LIS1' ? 'Europe/Lisbon' : 'Europe/Berlin', holidays: [] }, v.windowStart);
      t.ok(v.startedAt >= v.windowStart && (v.endedAt ?? Infinity) <= (w?.end ?? 0), `${id} ${iso(v.windowStart)}: visited inside its window (${iso(v.startedAt)} – ${iso(v.endedAt ?? 0)})`);
      t.ok(v.steps.every((st) => st.startedAt >= v.windowStart), `${id} ${iso(v.windowStart)}: no step before the window opened`);
    }
  }
  const ledger = (await r.windows.of(plan.id)).reverse();
  t.same(ledger.map((w) => `${w.timeZone} ${iso(w.start)} ${iso(w.end)} ${w.state}`), nights.flatMap((d) => [
    `Europe/Berlin ${d}T19:00:00.000Z ${d}T20:00:00.000Z ended`,
    `Europe/Lisbon ${d}T20:00:00.000Z ${d}T21:00:00.000Z ended`,
  ]), 'the ledger: each window once, with its end, ended');
  t.equal(r.ended.length, 6, `six windows reported ended: ${r.ended.join('; ')}`);
  t.same(s.scheduled().map((x) => `${x.timeZone} ${x.window ? iso(x.window.start) : '-'}`), ['Europe/Berlin 2026-12-28T19:00:00.000Z', 'Europe/Lisbon 2026-12-28T20:00:00.000Z'], 'and the next Monday waits');
});

onBothEngines(t, 'the night the clocks go back: a 20:00–06:00 window opens at 20:00 CEST and closes at 06:00 CET', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 9, 24, 12));
  // Three steps of 3 h 20 min: the visit runs into the window's eleventh hour, which a fixed ten-hour window would not have.
  const d = await r.add('HSIM-BER1');
  d.stepMs = 200 * 60_000;
  const plan = await r.plan({ windowMinutes: 600, steps: ['errors', 'kds-backup', 'archive'] });
  const s = r.scheduler();
  await runInVirtualTime(r.clock, s, s.start());
  await r.until(Date.UTC(2026, 9, 25, 12));
  const [w] = await r.windows.of(plan.id);
  t.equal(`${iso(w.start)} – ${iso(w.end)}`, '2026-10-24T18:00:00.000Z – 2026-10-25T05:00:00.000Z', 'the window as the ledger has it: eleven hours');
  const [v] = await r.records.history({ deviceId: 'HSIM-BER1' });
  t.equal(v.state, 'done', 'the visit finished');
  t.ok((v.endedAt ?? 0) > Date.UTC(2026, 9, 25, 4) && (v.endedAt ?? Infinity) <= Date.UTC(2026, 9, 25, 5), `in the hour the clocks gave back (${iso(v.endedAt ?? 0)})`);
});

onBothEngines(t, 'plans and devices changed while the scheduler runs: a plan added, a device moved to another zone, a plan removed mid-window', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 11, 7, 12));
  await r.add('HSIM-0001');
  await r.plan({ name: 'a', selection: { devices: ['HSIM-0001'] } });
  const s = r.scheduler();
  await runInVirtualTime(r.clock, s, s.start());
  await r.until(Date.UTC(2026, 11, 7, 18));
  // Another process adds a plan: its NOTIFY (or the SQLite file's change counter) reaches the bus.
  await r.add('HSIM-0002');
  const b = await r.plan({ name: 'b', selection: { devices: ['HSIM-0002'] }, windowCron: '30 20 * * *', timeZone: 'UTC' });
  await r.bus.publish({ topic: MAINTENANCE_SCHEDULE_TOPIC });
  await r.until(Date.UTC(2026, 11, 7, 18, 1));
  t.same(s.scheduled().map((x) => `${x.plan} ${x.timeZone} ${x.window ? iso(x.window.start) : '-'}`), ['a Europe/Berlin 2026-12-07T19:00:00.000Z', 'b UTC 2026-12-07T20:30:00.000Z'], 'the new plan is scheduled at once');
  await r.until(Date.UTC(2026, 11, 8, 12));
  t.same(await visitsOf(r.records, 'HSIM-0002'), ['2026-12-07T20:30:00.000Z done'], 'and visited in its window that night');
  // The device moves to Lisbon: plan a's window for it opens an hour later.
  await r.registry.update('HSIM-0001', { timeZone: 'Europe/Lisbon' }, r.by);
  await r.bus.publish({ topic: MAINTENANCE_SCHEDULE_TOPIC });
  await r.until(Date.UTC(2026, 11, 8, 12, 1));
  t.same(s.scheduled().filter((x) => x.plan === 'a').map((x) => `${x.timeZone} ${x.window ? iso(x.window.start) : '-'}`), ['Europe/Lisbon 2026-12-08T20:00:00.000Z'], 'a device moved to Lisbon: its window at 20:00 Lisbon, the Berlin one gone');
  await r.until(Date.UTC(2026, 11, 9, 12));
  t.same(await visitsOf(r.records, 'HSIM-0001'), ['2026-12-07T19:00:00.000Z done', '2026-12-08T20:00:00.000Z done'], 'visited in Berlin\'s window, then in Lisbon\'s');
  // Plan b removed while its window runs (its steps take 20 minutes now): the visit stops, nothing more is scheduled for it.
  r.visitor.devices.get('HSIM-0002')!.stepMs = 20 * 60_000;
  await r.until(Date.UTC(2026, 11, 9, 20, 40));
  t.equal(s.scheduled().find((x) => x.plan === 'b')?.state, 'running', 'plan b\'s window runs');
  t.ok(await r.records.removePlan('b', r.by, r.clock.now()), 'plan b removed');
  // No message this time: the periodic look finds it.
  await r.until(Date.UTC(2026, 11, 9, 21, 5));
  t.same(s.scheduled().map((x) => x.plan), ['a'], 'only plan a is left on the schedule');
  const ranBefore = r.visitor.devices.get('HSIM-0002')!.ran.length;
  await r.until(Date.UTC(2026, 11, 11, 12));
  t.equal(r.visitor.devices.get('HSIM-0002')!.ran.length, ranBefore, 'the removed plan\'s device is not visited any more');
  t.equal((await r.records.history({ deviceId: 'HSIM-0002' })).length, 0, 'its history went with the plan');
  t.same((await r.windows.of(b.id)).length, 0, 'and its ledger rows');
  t.ok((await visitsOf(r.records, 'HSIM-0001')).includes('2026-12-10T20:00:00.000Z done'), 'plan a goes on night after night');
});

onBothEngines(t, 'a centre killed inside a window: the one started again in the window takes the visit up at its first unfinished step', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 11, 7, 12));
  const d = await r.add('HSIM-0001');
  d.stepMs = 10 * 60_000;
  await r.plan({ windowMinutes: 180, timeZone: 'UTC' });
  const killable = new KillableClock(r.clock);
  const first = r.scheduler({ clock: killable, owner: 'centre-1', leaseMs: WINDOW_LEASE_MS });
  await runInVirtualTime(r.clock, first, first.start());
  // 20:25: errors and kds-backup are done, the archive is under way.
  await r.until(Date.UTC(2026, 11, 7, 20, 25));
  killable.kill();
  const [killed] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.equal(killed.state, 'running', 'the killed visit is left running in the records');
  t.same(d.ran, ['errors', 'kds-backup'], 'two steps done before the kill');
  // Started again at once: the dead centre's lease (renewed every 20 s, for 60 s) still holds.
  const second = r.scheduler({ owner: 'centre-2', leaseMs: WINDOW_LEASE_MS });
  await runInVirtualTime(r.clock, second, second.start());
  await r.until(Date.UTC(2026, 11, 7, 20, 25, 1));
  t.equal(second.scheduled()[0]?.state, 'held', 'the restarted centre finds the window claimed by the dead one');
  await r.until(Date.UTC(2026, 11, 8, 12));
  const [v] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.equal(v.id, killed.id, 'the same visit was taken up');
  t.equal(v.state, 'done', 'and finished');
  t.same(d.ran, STEPS, 'every step once: resumed at the archive');
  const took = v.steps.find((st) => st.step === 'archive' && st.outcome === 'ok');
  t.ok(took && took.startedAt > Date.UTC(2026, 11, 7, 20, 25, 10) && took.startedAt <= Date.UTC(2026, 11, 7, 20, 26, 20), `once the dead centre's lease ran out, within a minute (archive at ${iso(took?.startedAt ?? 0)})`);
  const [w] = await r.windows.of((await r.records.plan('nightly'))!.id);
  t.match(w, { state: 'ended', owner: 'centre-2' }, 'the ledger: the window ended, run to its end by the second centre');
});

onBothEngines(t, 'a window missed while no centre ran is recorded as missed and not run late; the next one runs', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 11, 7, 12));
  await r.add('HSIM-0001');
  const plan = await r.plan({ timeZone: 'UTC' });
  const first = r.scheduler({ owner: 'centre-1' });
  await runInVirtualTime(r.clock, first, first.start());
  await r.until(Date.UTC(2026, 11, 8, 12));
  await first.stop();
  // Down from Tuesday noon to Thursday 20:30: the windows of Tuesday and Wednesday pass, Thursday's is half over.
  r.clock.advance(Date.UTC(2026, 11, 10, 20, 30) - r.clock.now());
  const second = r.scheduler({ owner: 'centre-2' });
  await runInVirtualTime(r.clock, second, second.start());
  await r.until(Date.UTC(2026, 11, 11, 12));
  t.same(await visitsOf(r.records, 'HSIM-0001'), ['2026-12-07T20:00:00.000Z done', '2026-12-10T20:00:00.000Z done'], 'Monday, then Thursday in what was left of its window: Tuesday and Wednesday not run late');
  const ledger = (await r.windows.of(plan.id)).reverse();
  t.same(ledger.map((w) => `${iso(w.start)} ${w.state}`), ['2026-12-07T20:00:00.000Z ended', '2026-12-08T20:00:00.000Z missed', '2026-12-09T20:00:00.000Z missed', '2026-12-10T20:00:00.000Z ended'], 'the ledger records the two missed windows');
  const audit = await r.db.kysely.selectFrom('audit_trail').select(['action', 'target', 'detail']).where('action', '=', 'maintenance.window.missed').execute();
  t.equal(audit.length, 2, 'and the audit trail, once each');
  t.match(JSON.parse(audit[0].detail) as object, { timeZone: 'UTC', start: '2026-12-08T20:00:00.000Z' }, 'with the window');
  const [v] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.ok(v.startedAt >= Date.UTC(2026, 11, 10, 20, 30), 'Thursday\'s visit started when the centre was back, inside the window');
});

onBothEngines(t, 'two schedulers on one database: each window is run by one of them, the other leaves it', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 11, 7, 12));
  for (const id of ['HSIM-0001', 'HSIM-0002', 'HSIM-0003']) await r.add(id);
  const plan = await r.plan({ timeZone: 'UTC' });
  const one = r.scheduler({ owner: 'centre-1' });
  const two = r.scheduler({ owner: 'centre-2', db: await f.open() });
  await runInVirtualTime(r.clock, one, Promise.all([one.start(), two.start()]));
  await r.until(Date.UTC(2026, 11, 10, 12));
  for (const id of ['HSIM-0001', 'HSIM-0002', 'HSIM-0003']) {
    t.same(await visitsOf(r.records, id), ['2026-12-07T20:00:00.000Z done', '2026-12-08T20:00:00.000Z done', '2026-12-09T20:00:00.000Z done'], `${id}: one visit per night, not two`);
    t.same(r.visitor.devices.get(id)!.ran.filter((x) => x === 'errors').length, 3, `${id}: its error memory read once a night`);
  }
  const ledger = await r.windows.of(plan.id);
  t.equal(ledger.length, 3, 'three windows in the ledger');
  t.ok(ledger.every((w) => w.state === 'ended' && ['centre-1', 'centre-2'].includes(w.owner)), `each run by one centre: ${ledger.map((w) => w.owner).join(', ')}`);
  t.equal(r.ended.length, 3, 'three windows reported ended, not six');
});

onBothEngines(t, 'a centre stopped inside a window cuts its visits before their next step and gives the window back: one started at once takes them up', async (t, f) => {
  const r = await rig(t, f, Date.UTC(2026, 11, 7, 12));
  const d = await r.add('HSIM-0001');
  d.stepMs = 10 * 60_000;
  const plan = await r.plan({ windowMinutes: 180, timeZone: 'UTC' });
  const first = r.scheduler({ owner: 'centre-1' });
  await runInVirtualTime(r.clock, first, first.start());
  await r.until(Date.UTC(2026, 11, 7, 20, 15));
  // SIGTERM: the step under way (kds-backup, till 20:20:10) finishes inside the grace, the visit stops before the next.
  await runInVirtualTime(r.clock, { get working() { return first.working; } }, first.stop(10 * 60_000));
  const [stopped] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.match(stopped, { state: 'cut', nextStep: 2 }, 'the visit ended cut, at the archive');
  t.match(stopped.detail, /stopped before archive \(the centre stops\); resumes there/, 'with why');
  const [held] = await r.windows.of(plan.id);
  t.match(held, { state: 'running', owner: 'centre-1' }, 'the window is still open in the ledger');
  t.ok(held.leaseUntil <= r.clock.now(), 'but its lease was given back');
  const second = r.scheduler({ owner: 'centre-2' });
  await runInVirtualTime(r.clock, second, second.start());
  const restartedAt = r.clock.now();
  await r.until(Date.UTC(2026, 11, 8, 12));
  const [v] = await r.records.history({ deviceId: 'HSIM-0001' });
  t.equal(v.id, stopped.id, 'the same visit was taken up');
  t.equal(v.state, 'done', 'and finished');
  t.same(d.ran, STEPS, 'every step once');
  const archive = v.steps.find((st) => st.step === 'archive');
  t.ok(archive && archive.startedAt - restartedAt <= 15_000, `at once, without waiting for a lease (archive ${iso(archive?.startedAt ?? 0)}, restart ${iso(restartedAt)})`);
});
