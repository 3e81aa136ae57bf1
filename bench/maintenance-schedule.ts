import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../core/clock.js';
import { parseDatabaseUrl } from '../src/database/database-url.js';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { MaintenanceRecords } from '../src/database/maintenance-records.js';
import { MaintenanceWindows } from '../src/database/maintenance-windows.js';
import { openDatabase } from '../src/database/open-database.js';
import { nextWindow, planWindow, windowIn, zoneGroups } from '../src/maintenance/maintenance-plan.js';
import { MaintenanceRunner } from '../src/maintenance/maintenance-runner.js';
import { PlanScheduler } from '../src/maintenance/plan-scheduler.js';
import { runInVirtualTime } from '../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../src/storage/master-key.js';
import { FakeVisitor } from '../test/support/fake-visitor.js';
import { bound } from './support/bench-bound.js';
import { median } from '../test/support/sample-stats.js';

/**
 * What the scheduler inside `centre serve` costs (issue 13), in virtual time,
 * in-process against in-process:
 *   node dist/bench/maintenance-schedule.js [--plans N] [--nights N] [--runs N]
 *   (default 100 plans of 5 PBXs, 3 in Berlin and 2 in Lisbon: 200 windows a night, 7 nights, 3 runs each)
 *
 * Both arms run the same windows for the same devices on a fresh SQLite file
 * with the same idle visitor (connected after 10 virtual seconds, every step
 * done at once), so what differs is what the scheduler adds:
 *   runner    — the baseline: a loop that computes each plan's next window
 *               per zone with croner and calls the runner for that zone's
 *               devices, night by night;
 *   scheduler — PlanScheduler: the same windows found by itself, each claimed
 *               in the window ledger with a lease renewed every 20 s, ended
 *               there, the plans looked at again every minute.
 * Runs alternate (runner, scheduler, runner, …); the median of each is printed
 * with wall and CPU time and the windows and visits done.
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PLANS = arg('--plans', 100);
const NIGHTS = arg('--nights', 7);
const RUNS = arg('--runs', 3);
/** Monday 7 December 2026, noon UTC. */
const START = Date.UTC(2026, 11, 7, 12);
const END = START + NIGHTS * 24 * 3600_000;
const ZONES = ['Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin', 'Europe/Lisbon', 'Europe/Lisbon'];

bound('maintenance-schedule', 1500);

interface Result {
  wallMs: number;
  cpuMs: number;
  windows: number;
  visits: number;
}

async function fleet() {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-bench-schedule-'));
  const db = await openDatabase(parseDatabaseUrl(`sqlite:${join(dir, 'centre.db')}`));
  const registry = await DeviceRegistry.open(db, MasterKey.load(dir, {}));
  const clock = new VirtualClock(START);
  const visitor = new FakeVisitor(clock);
  const records = new MaintenanceRecords(db);
  const by = { actor: 'bench' };
  for (let p = 0; p < PLANS; p++) {
    const customer = `customer ${p}`;
    for (let d = 0; d < ZONES.length; d++) {
      const id = `HSIM-${String(p).padStart(4, '0')}-${d}`;
      await registry.add(id, 'pbx', { customerName: customer, timeZone: ZONES[d] }, by);
      visitor.add(id, { stepMs: 0 });
    }
    await records.addPlan({ name: `plan-${p}`, selection: { customer }, windowCron: '0 20 * * *', windowMinutes: 600, timeZone: 'UTC', holidays: [], steps: ['errors', 'kds-backup', 'archive'], targetAps: null, loadAps: false, backupRetention: 7, maxRetries: 2, serviceUser: 'service', createdAt: START, createdBy: 'bench' }, by);
  }
  return { dir, db, clock, visitor, records };
}

async function measure(body: () => Promise<number>, records: MaintenanceRecords): Promise<Result> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const windows = await body();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const visits = (await records.history({ limit: 1_000_000 })).filter((v) => v.state === 'done').length;
  return { wallMs, cpuMs: (used.user + used.system) / 1000, windows, visits };
}

async function runnerArm(): Promise<Result> {
  const f = await fleet();
  try {
    return await measure(async () => {
      const runner = new MaintenanceRunner({ clock: f.clock, records: f.records, visitor: f.visitor, modems: 8, lanConcurrency: 8 });
      let windows = 0;
      const loops = (await f.records.listPlans()).map(async (plan) => {
        const devices = await f.records.devicesOf(plan.selection);
        const groups = zoneGroups(plan.timeZone, devices, await f.records.timeZonesOf(devices));
        await Promise.all([...groups].map(async ([zone, ids]) => {
          for (let w = nextWindow(windowIn(planWindow(plan), zone), f.clock.now()); w && w.start < END; w = nextWindow(windowIn(planWindow(plan), zone), w.end)) {
            const window = w;
            const wait = window.start - f.clock.now();
            if (wait > 0) await new Promise<void>((resolve) => f.clock.setTimer(wait, resolve));
            await runner.runWindow(plan, window, { devices: ids });
            windows++;
          }
        }));
      });
      await runInVirtualTime(f.clock, runner, Promise.all(loops));
      return windows;
    }, f.records);
  } finally {
    await f.db.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
}

async function schedulerArm(): Promise<Result> {
  const f = await fleet();
  try {
    return await measure(async () => {
      let windows = 0;
      const scheduler = new PlanScheduler({ clock: f.clock, records: f.records, windows: new MaintenanceWindows(f.db), visitorFor: async () => f.visitor, modems: 8, onWindowEnd: () => windows++ });
      await runInVirtualTime(f.clock, scheduler, scheduler.start());
      await runInVirtualTime(f.clock, scheduler, new Promise<void>((resolve) => f.clock.setTimer(END - f.clock.now(), resolve)));
      await scheduler.stop(0);
      return windows;
    }, f.records);
  } finally {
    await f.db.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
}

const results: Record<'runner' | 'scheduler', Result[]> = { runner: [], scheduler: [] };
process.stdout.write(`maintenance-schedule: ${PLANS} plans × ${ZONES.length} PBXs in 2 time zones, ${NIGHTS} nights, ${RUNS} alternating runs per arm, load average ${loadavg()[0].toFixed(1)}\n`);
for (let i = 0; i < RUNS; i++) {
  for (const [arm, run] of [['runner', runnerArm], ['scheduler', schedulerArm]] as const) {
    const r = await run();
    results[arm].push(r);
    process.stdout.write(`  run ${i + 1} ${arm.padEnd(9)} wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, ${r.windows} windows, ${r.visits} visits done\n`);
  }
}
for (const arm of ['runner', 'scheduler'] as const) {
  const rs = results[arm];
  process.stdout.write(`${arm.padEnd(9)} median: wall ${median(rs.map((r) => r.wallMs)).toFixed(0)} ms, CPU ${median(rs.map((r) => r.cpuMs)).toFixed(0)} ms, ${rs[0].windows} windows, ${rs[0].visits} visits done (${(median(rs.map((r) => r.cpuMs)) / Math.max(1, rs[0].windows)).toFixed(2)} ms CPU a window)\n`);
}
process.stdout.write(`load average at the end ${loadavg()[0].toFixed(1)}\n`);
