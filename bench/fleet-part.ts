import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bound } from './support/bench-bound.js';
import { SignalingDigest, type DigestedEvent } from './support/signaling-digest.js';
import { median } from '../test/support/sample-stats.js';
import type { ErrorReport } from '../firmware-sim/error-report.js';
import type { AppendResult } from '../src/centre/report-store.js';

/**
 * The CPU cost of one centre line's part of bench/signaling's fleet, in one
 * thread, against another build in the same run:
 *   node dist/bench/fleet-part.js [--fleet N] [--rounds R] [--labs-before K] [--without-store] [--other DIR [--other-semi-space MB] [--other-centre file]]
 * A fleet of N PBXs on 8 centre lines falls apart into 8 exact parts (PBX i
 * calls line i mod 8); this runs the part of line 0 (N/8 PBXs, 7 days, a
 * class-B error a day, a daily function test spread over 4 hours) — the unit
 * a worker of bench/signaling runs. Each round runs it in a child process of
 * its own, alternating this build and, with --other, the build rooted at DIR
 * (its dist/ built, e.g. `git archive COMMIT | tar -x -C DIR`, node_modules
 * linked, `npx tsc -p .`), each as its own bench ran it: this one with the
 * centre's database in memory and bench/signaling's workers' semi-space, the
 * other by default the same way with main's 64 MiB semi-space (builds before
 * the in-memory centre need `--other-centre file`: a throwaway database file
 * in RAM). It prints each round's CPU time (process.cpuUsage of the
 * child: start, the week, per PBX-day), the counts and a digest of every
 * PBX's signaling events and their virtual times (SignalingDigest), which
 * must agree: the same simulation, only its cost differs. With
 * --labs-before K each child first starts and closes K labs of the same part
 * (no week), so the start measured is a warm one, as three of the four labs
 * of each worker of the 100,000 fleet are. With --without-store a third
 * kind of round runs this build with its centre's report store replaced by
 * one that decodes each report and acknowledges it as stored without
 * writing anything (a what-if, nothing a lab can do): the PBXs, the network
 * and the receiver do all they did, so the counts and the digest stay the
 * same, and the difference is what the database costs inside the fleet
 * (docs/perf.md run 17) — more than bench/report-store measures of the same
 * reports alone, since there the database has the caches to itself.
 */
const DAY = 86_400_000;
const DAYS = 7;
const LINES = 8;
const here = fileURLToPath(new URL('.', import.meta.url));
/** V8's semi-space of this build's runs: what bench/signaling gives its workers (a third of their young generation). */
const WORKER_SEMI_SPACE_MB = 64;

interface Result {
  pbxs: number;
  startUs: number;
  weekUs: number;
  events: number;
  reports: number;
  failed: number;
  stopped: number;
  /** SignalingDigest of every signaling event of the part. */
  digest: string;
  /** Reports the stand-in store of --without-store acknowledged without writing them (0 with the database). */
  unstored: number;
}

/**
 * The part of line 0, with the modules of the build whose dist/ is `dist`.
 * `labsBefore` labs of the same part are started and closed first, without
 * their week, as a worker of bench/signaling starts its second to fourth
 * lab: the start measured is then a warm one (code compiled, heap grown),
 * not only the first lab's of a fresh process.
 */
async function runPart(dist: string, fleet: number, centre: 'memory' | 'file' | 'no-store', labsBefore: number): Promise<Result> {
  const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(dist, path)).href) as Promise<T>;
  const unstored = centre === 'no-store' ? await storeNothing(load) : () => 0;
  const { VirtualClock } = await load<typeof import('../core/clock.js')>('core/clock.js');
  const { validateConfig } = await load<typeof import('../src/lab/config.js')>('src/lab/config.js');
  const { Lab } = await load<typeof import('../src/lab/lab.js')>('src/lab/lab.js');
  const { configure } = await load<typeof import('../test/support/teleservice-lab.js')>('test/support/teleservice-lab.js');
  const modem = { name: 'centre-1', number: '0899000', bind: 'tcp:127.0.0.1:1' };
  const indices: number[] = [];
  for (let i = 0; i < fleet; i += LINES) indices.push(i);
  /** One lab of the part started and set up as bench/signaling does, and the process's CPU just before its Lab.start. */
  const startPart = async () => {
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-fleet-part-'));
    const clock = new VirtualClock();
    const config = validateConfig({ stateDir: dir, pbxs: indices.map((i) => ({ id: `F${String(i).padStart(6, '0')}`, fmc: false, trunks: [`7${String(i).padStart(6, '0')}`] })), modems: [modem], centre: { modem: modem.name } }, dir);
    const cpu = process.cpuUsage();
    const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: 16, ...(centre === 'file' ? { centreDir: join(dir, 'centre'), centreFsync: false } : { centreDb: { engine: 'sqlite' as const, path: ':memory:' } }) });
    const digest = new SignalingDigest();
    for (const i of indices) {
      const { pbx, signaling } = lab.pbxs.get(`F${String(i).padStart(6, '0')}`)!;
      signaling.onEvent((e: DigestedEvent) => digest.add(i, clock.now(), e));
      configure(pbx, { 'callback.1.number': `0${modem.number}`, 'signaling.enabled': 'yes', 'signaling.interval': String(1 + (i % 15)), 'signaling.functest': 'yes', 'signaling.functest-days': '1', 'signaling.functest-spread': '240' });
      const raise = (): void => {
        pbx.errors.add({ time: clock.now(), cls: 'B', code: 0x210, location: 'S1', text: 'bench', pseudo: false });
        clock.setTimer(DAY, raise);
      };
      clock.setTimer(Math.floor((i * 7919) % DAY), raise);
    }
    const close = async (): Promise<void> => {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { cpu0: cpu, clock, lab, digest, close };
  };
  for (let k = 0; k < labsBefore; k++) await (await startPart()).close();
  const { cpu0, clock, lab, digest, close } = await startPart();
  const started = process.cpuUsage(cpu0);
  const fired0 = clock.fired;
  for (let h = 0; h < DAYS * 24; h++) clock.advance(3600_000);
  const total = process.cpuUsage(cpu0);
  const reports = lab.centre?.receivers.reduce((n, r) => n + r.received, 0) ?? 0;
  await close();
  const us = (c: NodeJS.CpuUsage): number => c.user + c.system;
  return { pbxs: indices.length, startUs: us(started), weekUs: us(total) - us(started), events: clock.fired - fired0, reports, failed: digest.failed, stopped: digest.stopped, digest: digest.value, unstored: unstored() };
}

/**
 * The what-if of --without-store: the build's database report store decodes
 * and acknowledges each report, and writes nothing. Returns how many it took.
 */
async function storeNothing(load: <T>(path: string) => Promise<T>): Promise<() => number> {
  const { DatabaseReportStore } = await load<typeof import('../src/centre/database-report-store.js')>('src/centre/database-report-store.js');
  const { decodeReport } = await load<typeof import('../src/centre/report-decoder.js')>('src/centre/report-decoder.js');
  let taken = 0;
  DatabaseReportStore.prototype.appendReport = (bytes: Uint8Array, _receivedAt: number, decoded?: ErrorReport): AppendResult => {
    taken++;
    return { stored: true, report: decoded ?? decodeReport(bytes) };
  };
  return () => taken;
}

function describe(name: string, r: Result): string {
  const pbxDays = r.pbxs * DAYS;
  return (
    `${name}: CPU ${((r.startUs + r.weekUs) / 1e6).toFixed(1)} s = ${((r.startUs + r.weekUs) / pbxDays).toFixed(0)} µs per PBX-day ` +
    `(start ${(r.startUs / r.pbxs).toFixed(0)} µs per PBX, the week ${(r.weekUs / pbxDays).toFixed(0)} µs per PBX-day); ` +
    `${r.events} timer events, ${r.reports} reports${r.unstored > 0 ? ` (${r.unstored} acknowledged and not stored)` : ''}, ${r.failed} busy retries, ${r.stopped} stops, digest ${r.digest}`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const fleet = Number(opt('--fleet') ?? 10_000);
  const rounds = Number(opt('--rounds') ?? 3);
  const labsBefore = Number(opt('--labs-before') ?? 0);
  const other = opt('--other');
  if (args.includes('--child')) {
    const centre = opt('--centre');
    const result = await runPart(opt('--dist')!, fleet, centre === 'file' || centre === 'no-store' ? centre : 'memory', labsBefore);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  // Bound: 3 ms of CPU per PBX-day (the old build took ~0.5 at a load of 30) per run, wall at up to 6× CPU under load, plus a minute.
  const withoutStore = args.includes('--without-store');
  const runs = rounds * (1 + (other ? 1 : 0) + (withoutStore ? 1 : 0));
  console.log(`fleet-part: line 0 of a ${fleet}-PBX fleet (${Math.ceil(fleet / LINES)} PBXs) x ${DAYS} days, ${rounds} rounds${labsBefore ? `, each after ${labsBefore} lab(s) started and closed` : ''}${withoutStore ? ' alternating with this build without its report store' : ''}${other ? ` alternating with ${other}` : ''}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // The labs before: at most 1 ms of CPU per PBX each (a start took 0.1–0.2).
  bound('fleet-part', Math.ceil(60 + runs * (fleet / LINES) * (DAYS * 0.003 + labsBefore * 0.001) * 6));
  const thisBuild = { name: 'this build', dist: resolve(here, '..'), centre: 'memory', v8: [`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`] };
  const sides = [thisBuild, ...(withoutStore ? [{ ...thisBuild, name: 'this build without its store', centre: 'no-store' }] : []), ...(other ? [{ name: `other (${other})`, dist: join(resolve(other), 'dist'), centre: opt('--other-centre') === 'file' ? 'file' : 'memory', v8: [`--max-semi-space-size=${opt('--other-semi-space') ?? 64}`] }] : [])];
  const totals = new Map<string, number[]>();
  const counts = new Set<string>();
  for (let k = 0; k < rounds; k++) {
    for (const side of sides) {
      const child = spawnSync(process.execPath, [...side.v8, fileURLToPath(import.meta.url), '--child', '--dist', side.dist, '--centre', side.centre, '--fleet', String(fleet), '--labs-before', String(labsBefore)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (child.status !== 0) throw new Error(`${side.name}: the part failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Result;
      console.log(`  round ${k + 1} ${describe(side.name, r)}; load ${loadavg()[0].toFixed(1)}`);
      counts.add(`${r.events}/${r.reports}/${r.failed}/${r.stopped}/${r.digest}`);
      totals.set(side.name, [...(totals.get(side.name) ?? []), (r.startUs + r.weekUs) / (r.pbxs * DAYS)]);
    }
  }
  console.log(`timer events / reports / busy retries / stops / digest in every run: ${counts.size === 1 ? `identical (${[...counts][0]})` : `DIFFERENT (${[...counts].join(' ')})`}`);
  for (const [name, xs] of totals) console.log(`${name}: median ${median(xs).toFixed(0)} µs CPU per PBX-day (${xs.map((x) => x.toFixed(0)).join(', ')})`);
}

await main();
