import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { VirtualClock } from '../core/clock.js';
import type { LabConfig } from '../src/lab/config.js';
import type { Lab } from '../src/lab/lab.js';
import { bound } from './support/bench-bound.js';
import { SignalingDigest, type DigestedEvent } from './support/signaling-digest.js';
import { procStatCpuMs } from '../test/support/proc-stat-cpu.js';

/**
 * Error signaling and the centre in virtual time.
 *   node dist/bench/signaling.js [--fleet N …] [--workers W]   (default fleets 1000 10000 100000, W = cores)
 * 1) one PBX, 7 days: a class-B error every 6 h, the centre busy for 2 calls each time, daily function tests;
 * 2) the fleet: N PBXs, 7 days, about one class-B error per PBX per day and a daily function test,
 *    a centre with 8 modems, PBX i calling centre modem i mod 8.
 *
 * Sharding: the fleet runs on W worker threads (one per core). A PBX calls one
 * centre line, and lines do not hunt, so the fleet falls apart into one
 * independent part per centre line: PBX i belongs to line i mod 8, worker w owns
 * the lines l with l mod W = w, and each worker simulates its lines with every
 * PBX that calls them — a line's busy/free state is shared by exactly the PBXs
 * that contend for it, as in one process. A worker takes its lines a few at a
 * time so no more than PBXS_PER_LAB PBXs are alive at once. The bench checks
 * that the sharded run gives the same counts and the same digest of every
 * signaling event and its virtual time (SignalingDigest) as one thread.
 * Each fleet runs in a child process of its own (runFleetFresh), so the
 * figures of one fleet do not depend on which fleets ran before it.
 */
const DAY = 86_400_000;
const DAYS = 7;
const CENTRE_MODEMS = 8;
/**
 * PBXs simulated at once in one worker: bounds memory. A PBX holds about 29 KiB
 * live after a week (measured with gc() at the end of a run); one line of a
 * 100,000 fleet is 12,500 PBXs.
 */
const PBXS_PER_LAB = 12_500;
/** Old-generation limit per worker: the fleet stays within 4 GiB on 2 workers, and V8 collects before it grows past it. */
const WORKER_HEAP_MB = 1_700;
/**
 * Young generation per worker (three semi-spaces of 64 MiB; V8's default is
 * 16 MiB each). A call's objects live for seconds to minutes of virtual time
 * while thousands of other PBXs allocate; in a small young generation they
 * survive two scavenges, move to the old generation and die there, where
 * only a full mark of the 500 MB live fleet frees them.
 */
const WORKER_YOUNG_MB = 192;
/**
 * V8 options of each fleet's process (runFleetFresh). Every collection runs
 * on the thread that allocates, none on V8's helper threads: with a worker
 * per core the cores are busy already, and the helpers' parallel scavenges
 * and concurrent marking only added their own overhead — a fifth of the
 * fleet's CPU went to them (docs/perf.md, runs 14 and 15).
 */
const FLEET_V8_OPTIONS: readonly string[] = ['--single-threaded-gc'];
/** signaling.functest-spread for the spread runs: four hours of the night. */
const SPREAD_MIN = 240;

interface Figures {
  /** Wall time of Lab.start and the KDS set-up, summed over the labs of a worker. */
  startMs: number;
  /** Wall time of the days in virtual time. */
  ms: number;
  events: number;
  reports: number;
  /** Unsuccessful signaling calls (centre busy) and 5-failure stops, summed over the fleet. */
  failed: number;
  stopped: number;
  /** SignalingDigest of every signaling event (summed over parts). */
  digest: string;
  /** Each lab's own times, in the order the labs ran (summed figures concatenate them). */
  labs: LabTimes[];
}

/** What one lab of a worker cost: its start (Lab.start and the bench's set-up), its week and its close. */
interface LabTimes {
  lines: number[];
  startMs: number;
  weekMs: number;
  /** Lab.close and removing its state directory. */
  closeMs: number;
}

/** One worker of a fleet run, timed from the main thread (its start to its last message) and by its own event loop. */
interface WorkerTimes {
  lines: number[];
  /** Wall time from `new Worker` to its figures: loading the modules included. */
  wallMs: number;
  /** CPU time of the worker's own thread (/proc/thread-self/stat; undefined without /proc): under load its wall time waits for a core, this does not. */
  cpuMs: number | undefined;
  labs: LabTimes[];
}

interface Part {
  /** Total fleet size: PBX i exists for i < pbxCount. */
  pbxCount: number;
  /** Centre lines simulated together (each with every PBX that calls it). */
  lines: number[];
  spreadMin: number;
}

const modems = Array.from({ length: CENTRE_MODEMS }, (_, k) => ({ name: `centre-${k + 1}`, number: `08990${String(k).padStart(2, '0')}`, bind: `tcp:127.0.0.1:${1 + k}` }));

/** A throwaway directory in RAM where there is one (the lab's state directory; in memory mode nothing is written there). */
function scratchDir(): string {
  return mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-signaling-'));
}

/**
 * The lab in memory mode, its centre's SQLite database in memory too: the
 * bench measures the simulation, and a throwaway database file (synchronous
 * off, never read) only added its WAL writes to every commit — 46–52 µs of
 * CPU per report in a file in RAM against 23–25 µs in memory. Every report
 * still commits (all four statements, one transaction) before its ACK.
 */
async function startLab(config: LabConfig, clock: VirtualClock): Promise<Lab> {
  const { Lab, SQLITE_IN_MEMORY } = await labModules();
  return Lab.start(config, { clock, mode: 'memory', hashCost: 16, centreDb: { engine: 'sqlite', path: SQLITE_IN_MEMORY } });
}

/**
 * The lab's modules, loaded where a lab runs (the workers, the one-PBX run),
 * not at import: the fleet's own process only starts its workers and waits,
 * and loading the lab there (~0.4 s of CPU) took a core from the workers
 * while they loaded theirs.
 */
async function labModules(): Promise<{
  VirtualClock: typeof VirtualClock;
  validateConfig: typeof import('../src/lab/config.js').validateConfig;
  Lab: typeof Lab;
  configure: typeof import('../test/support/teleservice-lab.js').configure;
  SQLITE_IN_MEMORY: string;
}> {
  const [clock, config, lab, support, sqlite] = await Promise.all([import('../core/clock.js'), import('../src/lab/config.js'), import('../src/lab/lab.js'), import('../test/support/teleservice-lab.js'), import('../src/database/sqlite-database.js')]);
  return { VirtualClock: clock.VirtualClock, validateConfig: config.validateConfig, Lab: lab.Lab, configure: support.configure, SQLITE_IN_MEMORY: sqlite.SQLITE_IN_MEMORY };
}

/** The fleet part of `lines`: every PBX i < pbxCount with i mod 8 in `lines`, in virtual time for DAYS days. */
async function runPart(part: Part): Promise<Figures> {
  const { VirtualClock, validateConfig, configure } = await labModules();
  const started = performance.now();
  const dir = scratchDir();
  const clock = new VirtualClock();
  const indices: number[] = [];
  for (let i = 0; i < part.pbxCount; i++) if (part.lines.includes(i % CENTRE_MODEMS)) indices.push(i);
  const config = validateConfig(
    {
      stateDir: dir,
      pbxs: indices.map((i) => ({ id: `F${String(i).padStart(6, '0')}`, fmc: false, trunks: [`7${String(i).padStart(6, '0')}`] })),
      modems: part.lines.map((l) => modems[l]),
      centre: { modem: modems[part.lines[0]].name },
    },
    dir,
  );
  const lab = await startLab(config, clock);
  for (const l of part.lines.slice(1)) lab.centre?.attachSlot(lab.modems.get(modems[l].name)!.slot, modems[l].name);
  const digest = new SignalingDigest();
  for (const i of indices) {
    const { pbx, signaling } = lab.pbxs.get(`F${String(i).padStart(6, '0')}`)!;
    signaling.onEvent((e: DigestedEvent) => digest.add(i, clock.now(), e));
    configure(pbx, {
      'callback.1.number': `0${modems[i % CENTRE_MODEMS].number}`,
      'signaling.enabled': 'yes',
      'signaling.interval': String(1 + (i % 15)),
      'signaling.functest': 'yes',
      'signaling.functest-days': '1',
      'signaling.functest-spread': String(part.spreadMin),
    });
    const raise = (): void => {
      pbx.errors.add({ time: clock.now(), cls: 'B', code: 0x210, location: 'S1', text: 'bench', pseudo: false });
      clock.setTimer(DAY, raise);
    };
    clock.setTimer(Math.floor((i * 7919) % DAY), raise);
  }
  return runWeek(lab, clock, dir, started, digest, part.lines);
}

/** The lab's week of virtual time, hour by hour, and its figures; the lab closes and its directory goes. */
async function runWeek(lab: Lab, clock: VirtualClock, dir: string, started: number, digest: SignalingDigest, lines: number[]): Promise<Figures> {
  const fired0 = clock.fired;
  const t0 = performance.now();
  for (let h = 0; h < DAYS * 24; h++) clock.advance(3600_000);
  const ms = performance.now() - t0;
  const reports = lab.centre?.receivers.reduce((n, r) => n + r.received, 0) ?? 0;
  const t1 = performance.now();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
  const labTimes: LabTimes = { lines, startMs: t0 - started, weekMs: ms, closeMs: performance.now() - t1 };
  return { startMs: t0 - started, ms, events: clock.fired - fired0, reports, failed: digest.failed, stopped: digest.stopped, digest: digest.value, labs: [labTimes] };
}

/** The figures of no lab, where sums of them start. */
function noFigures(): Figures {
  return { startMs: 0, ms: 0, events: 0, reports: 0, failed: 0, stopped: 0, digest: new SignalingDigest().value, labs: [] };
}

function sum(a: Figures, b: Figures): Figures {
  return { startMs: a.startMs + b.startMs, ms: a.ms + b.ms, events: a.events + b.events, reports: a.reports + b.reports, failed: a.failed + b.failed, stopped: a.stopped + b.stopped, digest: SignalingDigest.combine(a.digest, b.digest), labs: [...a.labs, ...b.labs] };
}

/** One worker's share: its lines, a group at a time. */
async function runLines(pbxCount: number, lines: number[], spreadMin: number): Promise<Figures> {
  const perLine = Math.ceil(pbxCount / CENTRE_MODEMS);
  const group = Math.max(1, Math.floor(PBXS_PER_LAB / perLine));
  let total = noFigures();
  for (let k = 0; k < lines.length; k += group) total = sum(total, await runPart({ pbxCount, lines: lines.slice(k, k + group), spreadMin }));
  return total;
}

interface FleetRun extends Figures {
  pbxCount: number;
  workers: number;
  spreadMin: number;
  wallMs: number;
  cpuMs: number;
  peakRss: number;
  /** The V8 options the fleet's process ran with (FLEET_V8_OPTIONS, or a command line's own). */
  v8Options: string[];
  workerTimes: WorkerTimes[];
}

/**
 * The whole fleet in a child process of its own (`runFleet` there), so that
 * every fleet of the run — the sharding check, the herd, each size of the
 * curve — starts from a fresh process: nothing the earlier fleets left in
 * this one (the allocator's arenas, the V8 platform's threads, its page
 * pool) can add to a later fleet's cost, and a fleet measured in the curve
 * costs what it costs alone (docs/perf.md, run 8).
 */
function runFleetFresh(pbxCount: number, workers: number, spreadMin: number): Promise<FleetRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...FLEET_V8_OPTIONS, fileURLToPath(import.meta.url), '--run-fleet', String(pbxCount), '--workers', String(workers), '--spread', String(spreadMin)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the ${pbxCount}-PBX fleet's process ended with ${signal ?? `exit code ${code}`}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as FleetRun);
    });
  });
}

/** The whole fleet on `workers` threads; wall, CPU (all threads) and peak RSS (the process) measured here. */
async function runFleet(pbxCount: number, workers: number, spreadMin: number): Promise<FleetRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const shares = Array.from({ length: workers }, (_, w) => modems.map((_, l) => l).filter((l) => l % workers === w));
  const results = await Promise.all(
    shares.map(
      (lines) =>
        new Promise<Figures & { cpuMs: number | undefined; wallMs: number }>((resolve, reject) => {
          const born = performance.now();
          const worker = new Worker(new URL(import.meta.url), { workerData: { pbxCount, lines, spreadMin }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
          worker.once('message', (f: Figures & { cpuMs: number | undefined }) => resolve({ ...f, wallMs: performance.now() - born }));
          worker.once('error', reject);
        }),
    ),
  );
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const cpu = process.cpuUsage(cpu0);
  const total = results.reduce<Figures>((a, b) => sum(a, b), noFigures());
  const workerTimes = results.map((r, w) => ({ lines: shares[w], wallMs: r.wallMs, cpuMs: r.cpuMs, labs: r.labs }));
  return { ...total, pbxCount, workers, spreadMin, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, peakRss, v8Options: process.execArgv, workerTimes };
}

function describe(r: FleetRun): string {
  const pbxDays = r.pbxCount * DAYS;
  return (
    `${String(r.pbxCount).padStart(6)} PBXs, spread ${String(r.spreadMin).padStart(3)} min, ${r.workers} worker(s): ` +
    `${(r.wallMs / 1000).toFixed(1)} s wall, CPU ${(r.cpuMs / 1000).toFixed(1)} s, ${((r.wallMs * 1000) / pbxDays).toFixed(1)} µs wall / ${((r.cpuMs * 1000) / pbxDays).toFixed(1)} µs CPU per PBX-day; ` +
    `start ${(r.startMs / 1000).toFixed(1)} s of worker time; ${r.events} timer events, ${r.reports} reports, ${r.failed} busy retries, ${r.stopped} stops, digest ${r.digest}, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MiB, V8 options: ${r.v8Options.join(' ') || 'none'}` +
    r.workerTimes.map((w, k) => `\n           ${describeWorker(k, w)}`).join('')
  );
}

/** Which worker ended last and why: its wall time and its thread's CPU, and each of its labs' start, week and close (wall). */
function describeWorker(k: number, w: WorkerTimes): string {
  const s = (ms: number): string => (ms / 1000).toFixed(1);
  const labs = w.labs.map((l) => `line ${l.lines.join('+')} ${s(l.startMs)}/${s(l.weekMs)}/${s(l.closeMs)}`).join(', ');
  const own = w.labs.reduce((t, l) => t + l.startMs + l.weekMs + l.closeMs, 0);
  return `worker ${k}: ${s(w.wallMs)} s wall, ${w.cpuMs === undefined ? '?' : s(w.cpuMs)} s CPU of its thread, ${s(w.wallMs - own)} s outside its labs (modules, thread); labs start/week/close s: ${labs}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fleets = args.flatMap((a, k) => (args[k - 1] === '--fleet' ? [Number(a)] : []));
  const workersArg = args.indexOf('--workers');
  const workers = workersArg >= 0 ? Number(args[workersArg + 1]) : Math.min(availableParallelism(), CENTRE_MODEMS);
  if (args.includes('--run-fleet')) {
    // A child of runFleetFresh: one fleet, its figures as the last line.
    const run = await runFleet(Number(args[args.indexOf('--run-fleet') + 1]), workers, Number(args[args.indexOf('--spread') + 1]));
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  const sizes = fleets.length ? fleets : [1_000, 10_000, 100_000];
  console.log(`signaling bench: 1 PBX, then fleets of ${sizes.join(', ')} PBXs x ${DAYS} days on ${workers} worker thread(s); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Bound: 6 ms of wall time per PBX-day per worker (measured 0.6–1.2 ms with the file centre, 4 ms with the SQLite centre at a load average of 21), plus a minute.
  const herdSize = Math.min(Math.max(...sizes), 10_000);
  const check = Math.min(...sizes, 2_000);
  const pbxDays = (sizes.reduce((s, n) => s + n, 0) + 2 * herdSize + 2 * check) * DAYS;
  // Each fleet's process (runFleetFresh) loads the lab's modules again: half a minute each at most, even under heavy load.
  const processes = sizes.length + 4;
  bound('signaling', Math.ceil(60 + 30 * processes + (pbxDays * 0.006) / workers));

  // 1) One PBX; the first run pays for JIT compilation of every path, the next ones show the steady cost.
  const ones: Array<Figures & { cpuMs: number }> = [];
  for (let k = 0; k < 3; k++) {
    const cpu0 = process.cpuUsage();
    const f = await onePbx();
    const cpu = process.cpuUsage(cpu0);
    ones.push({ ...f, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  const [one] = ones;
  const warm = ones.slice(1).reduce((a, b) => (b.ms < a.ms ? b : a));
  console.log(`1 PBX x 7 days (error every 6 h, centre busy 2x each, daily function test): first run ${one.ms.toFixed(1)} ms (CPU ${one.cpuMs.toFixed(1)} ms), warm ${warm.ms.toFixed(1)} ms; ${one.events} timer events, ${one.reports} reports, ${one.failed} busy retries`);

  // 2) Sharding gives what one thread gives.
  const single = await runFleetFresh(check, 1, SPREAD_MIN);
  const sharded = await runFleetFresh(check, workers, SPREAD_MIN);
  const same = single.events === sharded.events && single.reports === sharded.reports && single.failed === sharded.failed && single.stopped === sharded.stopped && single.digest === sharded.digest;
  console.log(`sharding check at ${check} PBXs: one thread ${single.reports} reports / ${single.failed} retries / ${single.stopped} stops / digest ${single.digest}, ${workers} workers ${sharded.reports} / ${sharded.failed} / ${sharded.stopped} / ${sharded.digest}: ${same ? 'identical' : 'DIFFERENT'}`);

  // 3) The herd: function tests all at midnight against spread over 4 hours, same fleet, same run.
  console.log(`function-test herd at ${herdSize} PBXs (before: spread 0, after: spread ${SPREAD_MIN} min):`);
  console.log(`  before ${describe(await runFleetFresh(herdSize, workers, 0))}`);
  console.log(`  after  ${describe(await runFleetFresh(herdSize, workers, SPREAD_MIN))}`);

  // 4) Cost per PBX-day as the fleet grows.
  console.log('cost per PBX-day (spread on):');
  for (const n of sizes) console.log(`  ${describe(await runFleetFresh(n, workers, SPREAD_MIN))}`);
  console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/** One PBX, 7 days: a class-B error every 6 h with the centre busy for the next 2 calls each time. */
async function onePbx(): Promise<Figures> {
  const { VirtualClock, validateConfig, configure } = await labModules();
  const started = performance.now();
  const dir = scratchDir();
  const clock = new VirtualClock();
  const config = validateConfig({ stateDir: dir, pbxs: [{ id: 'F000000', fmc: false, trunks: ['7000000'] }], modems: [modems[0]], centre: { modem: modems[0].name } }, dir);
  const lab = await startLab(config, clock);
  const { pbx, signaling } = lab.pbxs.get('F000000')!;
  const digest = new SignalingDigest();
  signaling.onEvent((e: DigestedEvent) => digest.add(0, clock.now(), e));
  configure(pbx, { 'callback.1.number': `0${modems[0].number}`, 'signaling.enabled': 'yes', 'signaling.interval': '1', 'signaling.functest': 'yes', 'signaling.functest-days': '1' });
  const raise = (): void => {
    pbx.errors.add({ time: clock.now(), cls: 'B', code: 0x210, location: 'S1', text: 'bench', pseudo: false });
    lab.exchange.setFaults(modems[0].number, { busyNextCalls: 2 });
    clock.setTimer(6 * 3600_000, raise);
  };
  clock.setTimer(0, raise);
  return runWeek(lab, clock, dir, started, digest, [0]);
}

if (isMainThread) {
  await main();
} else {
  const { pbxCount, lines, spreadMin } = workerData as { pbxCount: number; lines: number[]; spreadMin: number };
  const figures = await runLines(pbxCount, lines, spreadMin);
  // The calling thread's own CPU (it misses V8's helper threads: parallel scavenges, concurrent compiles).
  parentPort!.postMessage({ ...figures, cpuMs: procStatCpuMs('/proc/thread-self/stat', 14) });
}
