/**
 * Intake throughput of the centre (docs/perf.md "## Centre intake"): acks
 * per second of `hicom-sim centre serve` in one process, on SQLite and on
 * PostgreSQL (both durable: SQLite acks after the WAL fsync past the commit, PostgreSQL fsync on),
 * every ack sent only after its telegram committed, with p50/p99 latency of
 * each ack measured by the load generator in the same run, and the CPU time
 * of the centre process (all its threads, and its main thread alone) per ack. Baselines from the same
 * run, alternating with it round by round, whole process against whole
 * process, same load generator, same kind of telegrams:
 * - `centre serve --writer-thread` (SQLite committing in a thread beside the intake);
 * - the §5.2 responder process (the same decode, replay window and
 *   encode, everything in memory, no database);
 * - the ceiling below it (`bench/support/ceiling-process.ts`): a bare UDP
 *   echo, the echo + open and seal, and the same with open and seal on a
 *   worker thread (batches through SharedArrayBuffer rings); `--only
 *   ceiling` runs those three, the responder and `centre serve` on SQLite,
 *   the layers in one run;
 * - with `--previous DIST` (the `dist/` of an earlier build, e.g. main
 *   before this work), that build's `centre serve` on SQLite and PostgreSQL.
 * Each round starts the process, warms it with one untimed check-in per
 * device (every key read once, as in a centre that has been running), then
 * times the load. Median of the rounds.
 * Run: npx tsc -p . && node dist/bench/centre-intake.js [--previous DIR/dist] [--rounds N] [--only NAME-PART] [--cpu-prof DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ReadlineParser } from '@serialport/parser-readline';
import type { CheckInBody } from '../core/check-in-body.js';
import { parseDatagramAddress, type DatagramAddress } from '../core/datagram-port.js';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { openDatabase } from '../src/database/open-database.js';
import { parseDatabaseUrl } from '../src/database/database-url.js';
import { formatDeviceKey } from '../src/storage/device-keys-file.js';
import { MasterKey } from '../src/storage/master-key.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';
import { runIntakeLoad, type LoadDevice } from './support/intake-load.js';

const { values: args } = parseArgs({ options: { previous: { type: 'string' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
const ROUND_S = 4;
const ROUNDS = Number(args.rounds);
const DEVICES = 2000;
/** Telegrams in flight: a burst after an outage, as many as a centre answering 50,000/s within 10 ms holds. */
const WINDOW = 512;
/** Pre-built telegrams per device and round: 60,000/s over a round, more than the goal. */
const PER_DEVICE = Math.ceil((60_000 * ROUND_S) / DEVICES);
const previous = args.previous === undefined ? undefined : resolve(args.previous);
if (previous && !existsSync(join(previous, 'bin/hicom-sim.js'))) {
  process.stderr.write(`--previous ${previous}: no bin/hicom-sim.js there (give the dist/ folder of a build)\n`);
  process.exit(2);
}
const kinds = previous ? 9 : 7;
/** The untimed warm-up of each round ends after this long at most (a slow engine under load). */
const WARM_MS = 40_000;
bound(`centre intake (${ROUNDS} rounds × ${kinds} processes × (warm-up ≤ ${WARM_MS / 1000} s + ${ROUND_S} s), telegrams built before each)`, 60 + ROUNDS * kinds * (WARM_MS / 1000 + 20));
/** Centre processes running now: killed however this process ends (a bound that ran out included). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../bin/hicom-sim.js');
const dir = mkdtempSync(join(tmpdir(), 'intake-bench-'));
const state = join(dir, 'state');
const cluster = await startPostgresCluster({ durable: true });
/** A build's own database code (`dist` of this build or of `--previous`). */
interface BuildModules {
  openDatabase: typeof openDatabase;
  parseDatabaseUrl: typeof parseDatabaseUrl;
  DeviceRegistry: typeof DeviceRegistry;
  MasterKey: typeof MasterKey;
}
async function modulesOf(dist: string): Promise<BuildModules> {
  const load = (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(dist, path)).href) as Promise<Record<string, unknown>>;
  return {
    openDatabase: (await load('src/database/open-database.js')).openDatabase as typeof openDatabase,
    parseDatabaseUrl: (await load('src/database/database-url.js')).parseDatabaseUrl as typeof parseDatabaseUrl,
    DeviceRegistry: (await load('src/database/device-registry.js')).DeviceRegistry as typeof DeviceRegistry,
    MasterKey: (await load('src/storage/master-key.js')).MasterKey as typeof MasterKey,
  };
}
/**
 * Each build runs on databases of its own, made, migrated and filled by
 * that build's code: an earlier build refuses a schema newer than it knows.
 * The same device ids are registered in each (each with the key its registry made).
 */
const specs = new Map<string, string>([['sqlite', `sqlite:${join(dir, 'centre.db')}`], ['postgres', await cluster.createDatabase('bench')]]);
const builds: Array<[string, BuildModules]> = [['', { openDatabase, parseDatabaseUrl, DeviceRegistry, MasterKey }]];
if (previous) {
  specs.set('sqlite previous', `sqlite:${join(dir, 'previous.db')}`);
  specs.set('postgres previous', await cluster.createDatabase('bench_previous'));
  builds.push([' previous', await modulesOf(previous)]);
}
const fleets = new Map<string, LoadDevice[]>();
for (const [suffix, m] of builds) {
  for (const engine of ['sqlite', 'postgres']) {
    const db = await m.openDatabase(m.parseDatabaseUrl(specs.get(engine + suffix)!));
    const registry = await m.DeviceRegistry.open(db, m.MasterKey.load(state, {}));
    const fleet: LoadDevice[] = [];
    for (let i = 0; i < DEVICES; i++) fleet.push({ id: `IB-${i}`, key: (await registry.add(`IB-${i}`, 'key-depot', {}, { actor: 'bench' })).key });
    fleets.set(engine + suffix, fleet);
    await db.close();
  }
}
const sqliteFleet = fleets.get('sqlite')!;
writeFileSync(join(dir, 'keys.txt'), sqliteFleet.map((d) => formatDeviceKey({ id: d.id, kind: 'key-depot', key: d.key })).join('\n'));

function start(args: string[], ready: RegExp, address: RegExp): Promise<{ child: ChildProcess; centre: DatagramAddress }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines = child.stdout!.pipe(new ReadlineParser({ delimiter: '\n' }));
  return new Promise((resolve) => {
    let centre: DatagramAddress | undefined;
    lines.on('data', (l: string) => {
      const m = address.exec(l);
      if (m) centre = parseDatagramAddress(m[1]);
      if (ready.test(l) && centre) resolve({ child, centre });
    });
  });
}

/** CPU time (user + system) so far in ms of a process, all threads (`/proc/PID/stat`), or of one thread (`/proc/PID/task/TID/stat`; the main thread's TID is the PID); clock ticks of 10 ms. */
function cpuMsOf(pid: number, thread?: number): number {
  const fields = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Each database's counters go on rising across rounds and processes (one replay window per device and database). */
const nextCounter = new Map<string, number>();
type Round = { ackedPerS: number; p50: number; p99: number; cpuUsPerAck: number; mainUsPerAck: number; senderUsPerAck: number; load: number };

const bodyOf = (n: number, counter: number, now: number): CheckInBody => (n % 10 === 0 ? { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: counter, time: now, type: 'door-open' }] } : { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } });

async function round(name: string, engine: string, child: ChildProcess, centre: DatagramAddress, devices: LoadDevice[], verifyEvery: number): Promise<Round> {
  const counterOf = (d: LoadDevice): number => nextCounter.get(`${engine} ${d.id}`) ?? 1;
  // Untimed: one check-in per device, so the centre has read every key once (a running centre has them cached).
  const warm = await runIntakeLoad({ centre, devices, window: WINDOW, durationMs: WARM_MS, perDevice: 1, firstCounter: counterOf, body: bodyOf, verifyEvery });
  if (warm.acked !== devices.length) process.stdout.write(`  (${name}: ${warm.acked} of ${devices.length} devices answered within the warm-up of ${WARM_MS / 1000} s)\n`);
  for (const d of devices) nextCounter.set(`${engine} ${d.id}`, counterOf(d) + 1);
  const cpu0 = cpuMsOf(child.pid!);
  const main0 = cpuMsOf(child.pid!, child.pid!);
  const r = await runIntakeLoad({
    centre,
    devices,
    window: WINDOW,
    durationMs: ROUND_S * 1000,
    perDevice: PER_DEVICE,
    firstCounter: counterOf,
    body: bodyOf,
    verifyEvery,
  });
  const cpuMs = cpuMsOf(child.pid!) - cpu0;
  const mainMs = cpuMsOf(child.pid!, child.pid!) - main0;
  for (const d of devices) nextCounter.set(`${engine} ${d.id}`, counterOf(d) + PER_DEVICE);
  if (r.verifyFailed > 0 || r.naks > 0 || r.strays > 0) throw new Error(`${name}: ${r.verifyFailed} acks failed to open, ${r.naks} naks, ${r.strays} stray answers`);
  if (r.exhausted) process.stdout.write(`  (${name}: ran out of pre-built telegrams; the rate is a lower bound)\n`);
  return { ackedPerS: r.acked / r.seconds, p50: r.p50, p99: r.p99, cpuUsPerAck: (cpuMs * 1000) / Math.max(1, r.acked), mainUsPerAck: (mainMs * 1000) / Math.max(1, r.acked), senderUsPerAck: r.cpuUsPerAck, load: loadavg()[0] };
}

/** The bare echo's answers are the check-in's bytes under an ack's type byte: matched by header, never opened. */
const CEILING_ECHO = 'ceiling: bare UDP echo';
/** `--only ceiling`: the layers from the bare echo up to `centre serve` on SQLite, in one run. */
const CEILING_GROUP = (name: string): boolean => name.startsWith('ceiling') || name === 'responder (no database)' || name === 'centre serve, SQLite';
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const serveArgs = (bin: string, db: string): string[] => [bin, 'centre', 'serve', '--db', db, '-s', state, '--udp', '127.0.0.1:0', '--no-http', '--log-level', 'warn'];
const centres: Array<[string, string, string[]]> = [
  ['centre serve, SQLite', 'sqlite', serveArgs(cli, specs.get('sqlite')!)],
  ['  same, --writer-thread', 'sqlite', [...serveArgs(cli, specs.get('sqlite')!), '--writer-thread']],
  ['centre serve, PostgreSQL', 'postgres', serveArgs(cli, specs.get('postgres')!)],
  ['responder (no database)', 'responder', [join(here, '../test/support/responder-process.js'), join(dir, 'keys.txt')]],
  // The ceiling, one layer at a time (bench/support/ceiling-process.ts); the responder and `centre serve` above are the next two.
  [CEILING_ECHO, 'ceiling', [join(here, 'support/ceiling-process.js'), 'echo', join(dir, 'keys.txt')]],
  ['ceiling: + open & seal', 'ceiling', [join(here, 'support/ceiling-process.js'), 'seal', join(dir, 'keys.txt')]],
  ['ceiling: seal on a thread', 'ceiling', [join(here, 'support/ceiling-process.js'), 'seal-thread', join(dir, 'keys.txt')]],
];
if (previous) {
  centres.push(['previous build, SQLite', 'sqlite previous', serveArgs(join(previous, 'bin/hicom-sim.js'), specs.get('sqlite previous')!)]);
  centres.push(['previous build, PostgreSQL', 'postgres previous', serveArgs(join(previous, 'bin/hicom-sim.js'), specs.get('postgres previous')!)]);
}
// --only WORD: just the processes whose name contains it (profiling one); --cpu-prof DIR: each centre process writes a V8 CPU profile there.
if (args.only !== undefined) centres.splice(0, centres.length, ...centres.filter(([name]) => (args.only === 'ceiling' ? CEILING_GROUP(name) : name.includes(args.only!))));
if (args['cpu-prof'] !== undefined) for (const c of centres) c[2].unshift('--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof']));
const results = new Map<string, Round[]>(centres.map(([name]) => [name, []]));
try {
  const load0 = loadavg();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, engine, args] of centres) {
      const { child, centre } = await start(args, /^(Ctrl-C stops the centre\.|listening )/, /(?:UDP intake: udp |listening )(\S+)/);
      results.get(name)!.push(await round(name, engine, child, centre, fleets.get(engine) ?? sqliteFleet, name === CEILING_ECHO ? 0 : 16));
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  }
  process.stdout.write(`${DEVICES} devices, ${WINDOW} telegrams in flight, one in ten with an event; median of ${ROUNDS} rounds of ${ROUND_S} s, whole process against whole process;\n`);
  process.stdout.write(`load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end (2 cores shared with the load generator and PostgreSQL):\n`);
  for (const [name, rounds] of results) {
    const m = (k: keyof Round): number => median(rounds.map((x) => x[k]));
    process.stdout.write(`  ${name.padEnd(27)} ${fmt(m('ackedPerS')).padStart(7)} acks/s  p50 ${m('p50').toFixed(1).padStart(6)} ms  p99 ${m('p99').toFixed(1).padStart(6)} ms  centre CPU ${m('cpuUsPerAck').toFixed(0).padStart(4)} µs/ack (main thread ${m('mainUsPerAck').toFixed(0).padStart(3)})  sender CPU ${m('senderUsPerAck').toFixed(0)} µs/ack\n`);
  }
} finally {
  for (const c of running) c.kill('SIGKILL');
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
