import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../src/database/database-url.js';
import { openDatabase } from '../src/database/open-database.js';
import type { CentreDatabase } from '../src/database/centre-database.js';
import { MaintenanceRunner, type DeviceVisitor } from '../src/maintenance/maintenance-runner.js';
import { runInVirtualTime } from '../src/maintenance/virtual-time-driver.js';
import { FakeVisitor } from '../test/support/fake-visitor.js';
import { visitRig } from '../test/support/visit-rig.js';
import { bound } from './support/bench-bound.js';
import { median } from '../test/support/sample-stats.js';

/** Measured about 40 s on the loaded 2-core box. */
bound('maintenance-visit', 240);

/**
 * What a real maintenance visit costs the centre: PBXS firmware PBXs with
 * LAN teleservice on in-process lines, one window in virtual time, the
 * steps errors, kds-backup, archive and aps by the real SessionVisitor
 * (login with PIN, every command, the KDS sealed into the vault, the
 * yearly archive written and verified) into a SQLite centre database.
 * Baseline in the same run: the same devices, plan and runner with the
 * fake visitor (no line, no PBX), so the difference is the visit itself.
 * In-process against in-process, alternating rounds, medians quoted.
 * Run: npx tsc -p . && node dist/bench/maintenance-visit.js
 */
const PBXS = 100;
const ROUNDS = 3;
const STEPS = ['errors', 'kds-backup', 'archive', 'aps'];

const dir = mkdtempSync(join(tmpdir(), 'hicom-bench-visit-'));
const spec = `sqlite:${join(dir, 'centre', 'centre.db')}`;
const handles: CentreDatabase[] = [];
const fixture = {
  engine: 'sqlite' as const,
  spec,
  location: parseDatabaseUrl(spec),
  stateDir: dir,
  async open() {
    const db = await openDatabase(parseDatabaseUrl(spec));
    handles.push(db);
    return db;
  },
};
const ids = Array.from({ length: PBXS }, (_, i) => `HSIM-${String(i + 1).padStart(4, '0')}`);
const setup = Date.now();
const rig = await visitRig(fixture, ids);
process.stdout.write(`maintenance-visit: ${PBXS} firmware PBXs set up in ${Date.now() - setup} ms\n`);

const fake = new FakeVisitor(rig.clock);
for (const id of ids) fake.add(id, { stepMs: 1000 });
let plans = 0;

async function round(visitor: DeviceVisitor): Promise<{ wallMs: number; cpuMs: number; done: number; bytes: number }> {
  const plan = await rig.records.addPlan({
    name: `bench-${++plans}`, selection: { devices: ids }, windowCron: '0 20 * * *', windowMinutes: 600, timeZone: 'UTC', holidays: [], steps: STEPS,
    targetAps: null, loadAps: false, backupRetention: 2, maxRetries: 2, serviceUser: 'service', createdAt: rig.clock.now(), createdBy: 'bench',
  }, { actor: 'bench' });
  const runner = new MaintenanceRunner({ clock: rig.clock, records: rig.records, visitor, modems: 8, lanConcurrency: 64 });
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const summary = await runInVirtualTime(rig.clock, runner, runner.runNextWindow(plan));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(cpu);
  const visits = await rig.records.history({ planId: plan.id, limit: PBXS });
  const bytes = visits.reduce((n, v) => n + v.steps.reduce((m, s) => m + s.bytes, 0), 0);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, done: summary?.done ?? 0, bytes };
}

const real: Array<Awaited<ReturnType<typeof round>>> = [];
const base: Array<Awaited<ReturnType<typeof round>>> = [];
for (let i = 0; i < ROUNDS; i++) {
  real.push(await round(rig.visitor));
  base.push(await round(fake));
}
for (const [name, rs] of [['real visitor', real], ['fake visitor (baseline)', base]] as const) {
  const wall = median(rs.map((r) => r.wallMs));
  const cpu = median(rs.map((r) => r.cpuMs));
  process.stdout.write(`maintenance-visit: ${name}: ${PBXS} visits, ${rs.map((r) => r.done).join('/')} done; median wall ${wall.toFixed(0)} ms (${(wall / PBXS).toFixed(2)} ms per visit), CPU ${cpu.toFixed(0)} ms; ${Math.round(median(rs.map((r) => r.bytes)) / PBXS)} bytes per visit on the line\n`);
}
process.stdout.write(`maintenance-visit: real/baseline wall ${(median(real.map((r) => r.wallMs)) / median(base.map((r) => r.wallMs))).toFixed(1)}×; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
for (const h of handles) await h.close();
rmSync(dir, { recursive: true, force: true });
