/**
 * Supervision of a large fleet and the service's memory (issue 11; docs/perf.md
 * "## Centre supervision"), on SQLite (durable):
 *
 * 1. In-process, on a VirtualClock: the time of one supervision step of the
 *    incremental supervisor (src/centre/supervisor.ts) over DEVICES devices
 *    when nobody is due (the fleet on time), and of the step that finds them
 *    all late at once (after an outage: every one judged, its state changed,
 *    its event written). Baseline in the same run, alternating with the quiet
 *    step: a full scan — every device's state and settings read and judged
 *    by the same pure rules, what a supervisor that scans the fleet every
 *    second would do. Median of the rounds; RSS of this process beside it.
 * 2. Whole process: peak RSS (VmHWM) of `hicom-sim centre serve` on that
 *    database after every one of the DEVICES devices checked in once, beside
 *    the same service on a database of BASE_DEVICES devices, same run.
 *
 * Run: npx tsc -p . && node dist/bench/centre-supervision.js [--devices N] [--rss-only]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadlineParser } from '@serialport/parser-readline';
import { VirtualClock } from '../core/clock.js';
import { parseDatagramAddress, type DatagramAddress } from '../core/datagram-port.js';
import { Supervisor } from '../src/centre/supervisor.js';
import { evaluate } from '../src/centre/supervision-rules.js';
import type { CentreDatabase } from '../src/database/centre-database.js';
import { deviceOf, DeviceRegistry } from '../src/database/device-registry.js';
import { openDatabase } from '../src/database/open-database.js';
import { stateOf } from '../src/database/supervision-states.js';
import { MasterKey } from '../src/storage/master-key.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';
import { sendCheckIns, type SenderDevice } from './support/check-in-sender.js';

const arg = process.argv.indexOf('--devices');
const DEVICES = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
/** `--rss-only`: part 2 alone (the whole process's peak RSS), for a loaded box where part 1 would not end within the bound. */
const RSS_ONLY = process.argv.includes('--rss-only');
const BASE_DEVICES = 1_000;
const ROUNDS = 5;
/** Registering costs ≈ 1 ms a device on the loaded box; the rest is bounded by the check-ins. */
bound(`centre supervision and memory (${DEVICES.toLocaleString('en-US')} devices)`, 120 + Math.ceil(DEVICES / 250));

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../bin/hicom-sim.js');
const dir = mkdtempSync(join(tmpdir(), 'supervision-bench-'));
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function register(db: CentreDatabase, state: string, n: number, clock: VirtualClock): Promise<SenderDevice[]> {
  const registry = await DeviceRegistry.open(db, MasterKey.load(state, {}), clock);
  const out: SenderDevice[] = [];
  for (let i = 0; i < n; i++) out.push({ id: `SV-${i}`, key: (await registry.add(`SV-${i}`, 'key-depot', {}, { actor: 'bench' })).key });
  return out;
}

/** The baseline: every device read and judged, as a scanning supervisor would each step. */
async function fullScan(db: CentreDatabase, now: number): Promise<number> {
  const states = await db.kysely.selectFrom('supervision_states').selectAll().execute();
  const devices = new Map((await db.kysely.selectFrom('devices').selectAll().execute()).map((d) => [d.id, deviceOf(d)]));
  let changed = 0;
  for (const row of states) {
    const device = devices.get(row.device_id);
    if (device && evaluate(device, stateOf(row), now).events.length > 0) changed++;
  }
  return changed;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

/** `centre serve` on a database; every device checks in once; its peak RSS. */
async function servicePeak(spec: string, state: string, devices: SenderDevice[]): Promise<{ hwm: number; acked: number }> {
  const child = spawn(process.execPath, [cli, 'centre', 'serve', '--db', spec, '-s', state, '--udp', '127.0.0.1:0', '--no-http', '--no-supervision', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = child.stdout.pipe(new ReadlineParser({ delimiter: '\n' }));
  const centre = await new Promise<DatagramAddress>((resolve) => {
    let at: DatagramAddress | undefined;
    lines.on('data', (l: string) => {
      const m = /^UDP intake: udp (\S+)/.exec(l);
      if (m) at = parseDatagramAddress(m[1]);
      if (/^Ctrl-C stops the centre\./.test(l) && at) resolve(at);
    });
  });
  const r = await sendCheckIns({ centre, devices, window: 256, durationMs: 600_000, total: devices.length, counter: () => 1, body: () => ({ status: { kind: 'key-depot', door: 'closed' } }) });
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  return { hwm, acked: r.answered };
}

try {
  const clock = new VirtualClock(Date.now());
  const state = join(dir, 'state');
  const spec = `sqlite:${join(dir, 'fleet.db')}`;
  // Registered without an fsync per device (set-up only); supervised durably, as the service runs.
  const setup = await openDatabase({ engine: 'sqlite', path: join(dir, 'fleet.db') }, { durable: false });
  const reg = await timed(() => register(setup, state, DEVICES, clock));
  await setup.close();
  const devices = reg.value;
  process.stdout.write(`${fmt(DEVICES)} devices registered in ${(reg.ms / 1000).toFixed(1)} s (interval 60 s, grace 30 s)\n`);
  if (!RSS_ONLY) await supervision(clock);

  const baseSpec = `sqlite:${join(dir, 'base.db')}`;
  const baseDb = await openDatabase({ engine: 'sqlite', path: join(dir, 'base.db') }, { durable: false });
  const baseDevices = await register(baseDb, state, BASE_DEVICES, new VirtualClock(Date.now()));
  await baseDb.close();
  const big = await servicePeak(spec, state, devices);
  const small = await servicePeak(baseSpec, state, baseDevices);
  process.stdout.write(`whole process, peak RSS (VmHWM) of centre serve after every device checked in once:\n`);
  process.stdout.write(`  ${fmt(DEVICES)} devices: ${mib(big.hwm)} (${fmt(big.acked)} acked)\n`);
  process.stdout.write(`  baseline, ${fmt(BASE_DEVICES)} devices: ${mib(small.hwm)} (${fmt(small.acked)} acked)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Part 1: the supervisor's steps in-process, beside the full scan. */
async function supervision(clock: VirtualClock): Promise<void> {
  const db = await openDatabase({ engine: 'sqlite', path: join(dir, 'fleet.db') });
  const supervisor = new Supervisor({ db, clock });
  clock.advance(1_000);
  // A new device is due at once: the first step judges each and sets its deadline.
  const first = await timed(() => supervisor.step());
  const quiet: number[] = [];
  const scan: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const q = await timed(() => supervisor.step());
    if (q.value !== 0) throw new Error(`a quiet step judged ${q.value} devices`);
    quiet.push(q.ms);
    const s = await timed(() => fullScan(db, clock.now()));
    if (s.value !== 0) throw new Error(`the full scan found ${s.value} changes on a quiet fleet`);
    scan.push(s.ms);
  }
  const rssQuiet = process.memoryUsage().rss;
  clock.advance(90_000);
  const burst = await timed(() => supervisor.step());
  const late = await db.kysely.selectFrom('supervision_states').select((eb) => eb.fn.countAll<number>().as('n')).where('presence', '=', 'late').executeTakeFirst();
  process.stdout.write(`in-process, median of ${ROUNDS}, RSS ${mib(rssQuiet)} after the quiet rounds, ${mib(process.memoryUsage().rss)} after the burst:\n`);
  process.stdout.write(`  first step after registering: ${fmt(first.ms)} ms (${fmt(first.value)} judged)\n`);
  process.stdout.write(`  incremental step, nobody due         ${median(quiet).toFixed(2)} ms\n`);
  process.stdout.write(`  baseline: full scan of the fleet      ${median(scan).toFixed(1)} ms\n`);
  process.stdout.write(`  incremental step, all ${fmt(DEVICES)} late at once: ${fmt(burst.ms)} ms (${((burst.ms * 1000) / Math.max(1, burst.value)).toFixed(0)} µs a device, ${fmt(burst.value)} judged, ${fmt(Number(late?.n ?? 0))} now late with their events)\n`);
  await db.close();
}
