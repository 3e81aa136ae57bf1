/**
 * What storing one modem report costs the centre (docs/perf.md "Seventh
 * session: a report's cost"), in-process: REPORTS reports of PBXS PBXs
 * through `DatabaseReportStore.appendReport` into a fresh centre database,
 * shaped like the reports of one 100,000-fleet line-part (bench/fleet-part:
 * 71,120 reports of 12,500 PBXs in a week; 26 % carry one class-B error,
 * 12 % one function test, 50 % one of each, the rest 3–6 records of
 * which a third or half are function tests). CPU of the process over the
 * stores only (reports encoded beforehand), per stored report. Each run is
 * a child process of its own, alternating this build with `--previous DIR`
 * (the `dist/` of an earlier build), round by round; median quoted.
 * `--centre file`: a durable database file (in /dev/shm where there is one,
 * so the figure is SQLite's and not the disk's) instead of the fleet's
 * in-memory one. `--registered`: every PBX registered first, supervised by
 * its reports (what a real centre's PBXs are; the fleet's are not), so each
 * report also reads and writes its supervision state. `--statements`: one
 * run of this build with every statement counted and timed (a wrapper
 * around each run), printed per statement; that run's total is inflated by
 * the wrapper and is not compared.
 * Run: npx tsc -p . && node dist/bench/report-store.js [--previous DIR/dist] [--centre memory|file] [--registered] [--statements] [--reports N] [--rounds N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type BetterSqlite3 from 'better-sqlite3';
import type { ErrorRecord } from '../firmware-sim/error-history.js';
import type { encodeReport } from '../firmware-sim/error-report.js';
import type { DatabaseReportStore } from '../src/centre/database-report-store.js';
import type { DeviceRegistry } from '../src/database/device-registry.js';
import type { openDatabase } from '../src/database/open-database.js';
import type { MasterKey } from '../src/storage/master-key.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const { values: args } = parseArgs({
  options: {
    previous: { type: 'string' },
    centre: { type: 'string', default: 'memory' },
    registered: { type: 'boolean', default: false },
    statements: { type: 'boolean', default: false },
    reports: { type: 'string', default: '71120' },
    pbxs: { type: 'string', default: '12500' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
if (args.centre !== 'memory' && args.centre !== 'file') {
  process.stderr.write(`--centre ${args.centre}: memory or file\n`);
  process.exit(2);
}
const REPORTS = Number(args.reports);
const PBXS = Number(args.pbxs);
const ROUNDS = Number(args.rounds);
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const WEEK = 7 * 86_400_000;
const here = dirname(fileURLToPath(import.meta.url));

interface RunResult {
  reports: number;
  stored: number;
  cpuUs: number;
  /** Per statement (SQL text): how often and how long (µs), in a `--statements` run. */
  statements?: Array<{ sql: string; n: number; us: number }>;
}

/**
 * Records of a PBX's report in slot `k` of the mix, after error id `lastId`:
 * the 100,000 part's mix (see the file's comment) in 40 slots as
 * [class-B errors, function tests]: 10 × [1, 0], 5 × [0, 1], 20 × [1, 1],
 * and [2, 1], [1, 2], [2, 2], [3, 3], [4, 4] — 1.98 records and 0.93
 * function tests a report, as there (1.98 and 0.90).
 */
function recordsOf(k: number, lastId: number, at: number): ErrorRecord[] {
  const mix: ReadonlyArray<readonly [number, number]> = [
    ...Array<[number, number]>(10).fill([1, 0]),
    ...Array<[number, number]>(5).fill([0, 1]),
    ...Array<[number, number]>(20).fill([1, 1]),
    [2, 1], [1, 2], [2, 2], [3, 3], [4, 4],
  ];
  const [errors, tests] = mix[k % mix.length];
  const out: ErrorRecord[] = [];
  for (let i = 0; i < errors; i++) out.push({ id: lastId + out.length + 1, time: at - 3_600_000 + out.length, cls: 'B', code: 0x210, location: 'S1', text: 'bench', pseudo: false });
  for (let i = 0; i < tests; i++) out.push({ id: lastId + out.length + 1, time: at - 1_800_000 + out.length, cls: 'B', code: 0xfff0, location: '', text: 'Function test', pseudo: true });
  return out;
}

/** One run in this process with the build at `dist`. */
async function runChild(dist: string): Promise<RunResult> {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T;
  const { encodeReport: encode } = await load<{ encodeReport: typeof encodeReport }>('firmware-sim/error-report.js');
  const { PbxType } = await load<typeof import('../firmware-sim/pbx-type.js')>('firmware-sim/pbx-type.js');
  const { openDatabase: open } = await load<{ openDatabase: typeof openDatabase }>('src/database/open-database.js');
  const { DatabaseReportStore: Store } = await load<{ DatabaseReportStore: typeof DatabaseReportStore }>('src/centre/database-report-store.js');
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-report-store-'));
  const db = await open({ engine: 'sqlite', path: args.centre === 'file' ? join(dir, 'centre.db') : ':memory:' });
  const ids = Array.from({ length: PBXS }, (_, i) => `F${String(i * 8).padStart(6, '0')}`);
  if (args.registered) {
    const { DeviceRegistry: Registry } = await load<{ DeviceRegistry: typeof DeviceRegistry }>('src/database/device-registry.js');
    const { MasterKey: Key } = await load<{ MasterKey: typeof MasterKey }>('src/storage/master-key.js');
    const registry = await Registry.open(db, Key.load(dir), { now: () => T0 });
    for (const id of ids) await registry.add(id, 'pbx', { supervise: 'reports', functionTestPeriodMs: 86_400_000 }, { actor: 'bench' });
  }
  const seqs = new Array<number>(PBXS).fill(0);
  const lastIds = new Array<number>(PBXS).fill(0);
  const reports: Array<{ bytes: Buffer; at: number }> = [];
  for (let n = 0; n < REPORTS; n++) {
    const p = (n * 7919) % PBXS;
    const at = T0 + Math.floor((n * WEEK) / REPORTS);
    // The slot walks the mix with a stride prime to 40, so every PBX's few reports of the week spread over it.
    const records = recordsOf(n * 17, lastIds[p], at);
    lastIds[p] += records.length;
    reports.push({ bytes: encode({ systemId: ids[p], pbxType: PbxType.OfficePro, apsVersion: 'HE300M.00.001.01', seq: ++seqs[p], time: at, records }), at });
  }
  const timing = args.statements ? timeStatements((await import('better-sqlite3')).default) : undefined;
  const store = new Store(db);
  let stored = 0;
  const cpu0 = process.cpuUsage();
  for (const r of reports) {
    const out = store.appendReport(r.bytes, r.at);
    if ('then' in out) throw new Error('the SQLite report store answered with a promise');
    if (out.stored) stored++;
  }
  const cpu = process.cpuUsage(cpu0);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return { reports: REPORTS, stored, cpuUs: cpu.user + cpu.system, ...(timing ? { statements: timing() } : {}) };
}

/** Wrap every statement's run and all (better-sqlite3's Statement prototype) to count and time it by its SQL. */
function timeStatements(Sqlite: typeof BetterSqlite3): () => Array<{ sql: string; n: number; us: number }> {
  const probe = new Sqlite(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<'run' | 'all' | 'get', (this: BetterSqlite3.Statement, ...a: unknown[]) => unknown>;
  probe.close();
  const by = new Map<string, { n: number; ns: bigint }>();
  for (const m of ['run', 'all', 'get'] as const) {
    const original = proto[m];
    proto[m] = function (this: BetterSqlite3.Statement, ...a: unknown[]) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, a);
      } finally {
        const e = by.get(this.source) ?? { n: 0, ns: 0n };
        e.n++;
        e.ns += process.hrtime.bigint() - t0;
        by.set(this.source, e);
      }
    };
  }
  return () => [...by].map(([s, e]) => ({ sql: s, n: e.n, us: Number(e.ns) / 1000 }));
}

if (args.child !== undefined) {
  process.stdout.write(`${JSON.stringify(await runChild(args.child))}\n`);
  process.exit(0);
}

const previous = args.previous === undefined ? undefined : resolve(args.previous);
if (previous && !existsSync(join(previous, 'src/centre/database-report-store.js'))) {
  process.stderr.write(`--previous ${previous}: no src/centre/database-report-store.js there (give the dist/ folder of a build)\n`);
  process.exit(2);
}
const builds = [{ name: 'this build', dist: resolve(here, '..') }, ...(previous ? [{ name: `previous (${previous})`, dist: previous }] : [])];
const runs = ROUNDS * builds.length + (args.statements ? 1 : 0);
console.log(
  `report-store: ${REPORTS.toLocaleString('en-US')} reports of ${PBXS.toLocaleString('en-US')} PBXs, ${args.centre === 'file' ? 'a durable file' : 'in memory'}${args.registered ? ', every PBX registered' : ''}, ${ROUNDS} rounds × ${builds.length} builds; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
// About 0.2 ms of CPU per report on a loaded box, wall up to 5× CPU, plus the registrations and a process start per run.
bound('report-store', Math.ceil(30 + runs * (5 + (REPORTS * 0.2e-3 + (args.registered ? PBXS * 0.5e-3 : 0)) * 5)));

function spawnRun(dist: string, statements: boolean): RunResult {
  const passed = process.argv.slice(2).filter((a, i, all) => a !== '--statements' && a !== '--previous' && all[i - 1] !== '--previous');
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...passed, ...(statements ? ['--statements'] : []), '--child', dist], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`a run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as RunResult;
}

const perReport = new Map<string, number[]>();
for (let k = 0; k < ROUNDS; k++) {
  for (const b of builds) {
    const r = spawnRun(b.dist, false);
    const us = r.cpuUs / r.reports;
    perReport.set(b.name, [...(perReport.get(b.name) ?? []), us]);
    console.log(`  round ${k + 1} ${b.name}: ${us.toFixed(1)} µs CPU per report (${r.stored} stored of ${r.reports}); load ${loadavg()[0].toFixed(1)}`);
  }
}
for (const [name, xs] of perReport) console.log(`${name}: median ${median(xs).toFixed(1)} µs CPU per report (${xs.map((x) => x.toFixed(1)).join(', ')})`);
if (args.statements) {
  const r = spawnRun(builds[0].dist, true);
  const rows = r.statements!.sort((a, b) => b.us - a.us);
  const total = rows.reduce((s, x) => s + x.us, 0);
  console.log(`statements of this build, timed one by one (${r.reports} reports; ${(rows.reduce((s, x) => s + x.n, 0) / r.reports).toFixed(2)} statements and ${(total / r.reports).toFixed(1)} µs in them per report, of ${(r.cpuUs / r.reports).toFixed(1)} µs CPU with the timing):`);
  for (const x of rows) console.log(`  ${(x.n / r.reports).toFixed(2).padStart(5)} per report, ${(x.us / x.n).toFixed(1).padStart(6)} µs each, ${(x.us / r.reports).toFixed(1).padStart(5)} µs per report: ${x.sql.length > 150 ? `${x.sql.slice(0, 150)}…` : x.sql}`);
}
