/**
 * The database work per check-in (docs/perf.md "Centre intake: the store's
 * work per check-in"), in-process, on SQLite (durable, as `centre serve`):
 * batches of 500 accepted check-ins through `storeCheckIns` — the intake's
 * group commit — over DEVICES registered devices, one in ten with an event,
 * as bench/centre-intake.ts sends them. Per check-in it prints the time the
 * transaction held the main thread (median of the batches), the CPU of the
 * whole process (all threads: the WAL fsync runs on libuv's pool) and the
 * WAL pages the commits wrote (`wal_checkpoint(PASSIVE)` after each batch
 * reports the frames in the log, then lets it start again). Baseline in the
 * same run, alternating round by round: `--previous DIST` (the `dist/` of an
 * earlier build, e.g. main before this work), on a database of its own
 * made, migrated and filled by that build's code. Each round first stores
 * WARM_BATCHES untimed batches, so the history grows as in a running centre.
 * `--engine postgres`: the same on a durable PostgreSQL cluster of its own
 * (fsync on); there the transaction's statements are round trips, so the
 * main-thread figure is the wall time from the batch's start to its commit,
 * and there are no WAL pages to count (the server's CPU is not the process's).
 * `--order random`: each pass over the fleet in a fresh shuffled order (seeded, the same for
 * both builds) instead of registration order, so a batch's devices lie on random pages of the
 * per-device tables, as in a centre whose devices check in on their own clocks (the default,
 * `sequential`, puts a batch's devices next to each other in a rowid table).
 * Run: npx tsc -p . && node dist/bench/check-in-store.js [--previous DIR/dist] [--engine sqlite|postgres] [--devices N] [--rounds N] [--order sequential|random]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { CheckInBody } from '../core/check-in-body.js';
import type { ReplayWindow } from '../core/replay-window.js';
import type { CheckInArrival, storeCheckIns } from '../src/centre/check-in-store.js';
import type { parseDatabaseUrl } from '../src/database/database-url.js';
import type { DeviceRegistry } from '../src/database/device-registry.js';
import type { openDatabase } from '../src/database/open-database.js';
import type { MasterKey } from '../src/storage/master-key.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { median } from '../test/support/sample-stats.js';
import { SeededRandom } from '../core/seeded-random.js';
import { bound } from './support/bench-bound.js';

const { values: args } = parseArgs({ options: { previous: { type: 'string' }, engine: { type: 'string', default: 'sqlite' }, devices: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, order: { type: 'string', default: 'sequential' } } });
const postgres = args.engine === 'postgres';
if (!postgres && args.engine !== 'sqlite') {
  process.stderr.write(`--engine ${args.engine}: sqlite or postgres\n`);
  process.exit(2);
}
if (args.order !== 'sequential' && args.order !== 'random') {
  process.stderr.write(`--order ${args.order}: sequential or random\n`);
  process.exit(2);
}
const DEVICES = Number(args.devices);
const ROUNDS = Number(args.rounds);
const BATCH = 500;
const WARM_BATCHES = 100;
const BATCHES = 200;
const previous = args.previous === undefined ? undefined : resolve(args.previous);
if (previous && !existsSync(join(previous, 'src/centre/check-in-store.js'))) {
  process.stderr.write(`--previous ${previous}: no src/centre/check-in-store.js there (give the dist/ folder of a build)\n`);
  process.exit(2);
}
const builds = previous ? 2 : 1;
bound(`check-in store on ${args.engine} (${ROUNDS} rounds × ${builds} builds × ${WARM_BATCHES + BATCHES} batches of ${BATCH}, ${DEVICES.toLocaleString('en-US')} devices)`, 60 + Math.ceil(DEVICES / 100) * builds + ROUNDS * builds * 90);

/** A build's own database and store code (`dist` of this build or of `--previous`). */
interface Build {
  name: string;
  openDatabase: typeof openDatabase;
  parseDatabaseUrl: typeof parseDatabaseUrl;
  DeviceRegistry: typeof DeviceRegistry;
  MasterKey: typeof MasterKey;
  storeCheckIns: typeof storeCheckIns;
}
const here = dirname(fileURLToPath(import.meta.url));
async function buildOf(name: string, dist: string): Promise<Build> {
  const load = async (path: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(dist, path)).href)) as Record<string, unknown>;
  return {
    name,
    openDatabase: (await load('src/database/open-database.js')).openDatabase as typeof openDatabase,
    parseDatabaseUrl: (await load('src/database/database-url.js')).parseDatabaseUrl as typeof parseDatabaseUrl,
    DeviceRegistry: (await load('src/database/device-registry.js')).DeviceRegistry as typeof DeviceRegistry,
    MasterKey: (await load('src/storage/master-key.js')).MasterKey as typeof MasterKey,
    storeCheckIns: (await load('src/centre/check-in-store.js')).storeCheckIns as typeof storeCheckIns,
  };
}

const bodyOf = (n: number, counter: number, now: number): CheckInBody => (n % 10 === 0 ? { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: counter, time: now, type: 'door-open' }] } : { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } });

const dir = mkdtempSync(join(tmpdir(), 'check-in-store-bench-'));
const cluster = postgres ? await startPostgresCluster({ durable: true }) : undefined;
type Round = { threadUs: number; cpuUs: number; walPages: number };
try {
  const list = [await buildOf('this build', join(here, '..'))];
  if (previous) list.push(await buildOf('previous build', previous));
  const rigs = [];
  for (const [k, b] of list.entries()) {
    const db = await b.openDatabase(b.parseDatabaseUrl(cluster ? await cluster.createDatabase(`store_bench_${k}`) : `sqlite:${join(dir, `centre-${k}.db`)}`));
    const registry = await b.DeviceRegistry.open(db, b.MasterKey.load(dir, {}));
    const ids: string[] = [];
    for (let i = 0; i < DEVICES; i++) ids.push((await registry.add(`CS-${i}`, 'key-depot', {}, { actor: 'bench' })).device.id);
    rigs.push({ b, db, ids, order: ids.slice(), shuffle: new SeededRandom(11), windows: new Map<string, ReplayWindow>(), counters: new Map<string, number>(), now: 1_780_000_000_000, next: 0, rounds: [] as Round[] });
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const rig of rigs) {
      const batch = (): CheckInArrival[] => {
        const out: CheckInArrival[] = [];
        for (let i = 0; i < BATCH; i++) {
          const at = rig.next++ % rig.ids.length;
          // A fresh order for each pass (Fisher-Yates): every device once per pass, so none twice in a batch.
          if (at === 0 && args.order === 'random') for (let k = rig.order.length - 1; k > 0; k--) { const j = rig.shuffle.int(k + 1); [rig.order[k], rig.order[j]] = [rig.order[j], rig.order[k]]; }
          const id = rig.order[at];
          const counter = (rig.counters.get(id) ?? 0) + 1;
          rig.counters.set(id, counter);
          rig.now += 20;
          const s = Math.floor(rig.now / 1000);
          out.push({ telegram: { type: 'check-in', deviceId: id, counter, time: s, nonce: new Uint8Array(12), body: bodyOf(rig.next, counter, s) }, receivedAt: rig.now, source: '127.0.0.1:4000', window: rig.windows.get(id) });
        }
        return out;
      };
      const thread: number[] = [];
      let cpu = 0;
      let pages = 0;
      for (let k = 0; k < WARM_BATCHES + BATCHES; k++) {
        const arrivals = batch();
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        // The transaction runs synchronously on this thread; the promise waits for the WAL fsync (other thread).
        const done = rig.db.run(() => rig.b.storeCheckIns(rig.db.kysely, arrivals));
        let held = performance.now() - t0;
        const outcomes = await done;
        const used = process.cpuUsage(cpu0);
        if (cluster) held = performance.now() - t0;
        const ck = cluster ? { log: 0 } : (await sql<{ log: number }>`pragma wal_checkpoint(PASSIVE)`.execute(rig.db.kysely)).rows[0];
        for (const [i, o] of outcomes.entries()) {
          if (o.verdict !== 'accept') throw new Error(`${rig.b.name}: check-in ${arrivals[i].telegram.deviceId}#${arrivals[i].telegram.counter} was ${o.verdict}`);
          rig.windows.set(arrivals[i].telegram.deviceId, o.window);
        }
        if (k < WARM_BATCHES) continue;
        thread.push((held * 1000) / BATCH);
        cpu += used.user + used.system;
        pages += Number(ck.log);
      }
      rig.rounds.push({ threadUs: median(thread), cpuUs: cpu / (BATCHES * BATCH), walPages: pages / (BATCHES * BATCH) });
    }
  }
  process.stdout.write(`${args.engine}, ${DEVICES.toLocaleString('en-US')} devices in ${args.order} order, batches of ${BATCH} check-ins (one in ten with an event), ${WARM_BATCHES} untimed then ${BATCHES} timed per round; median of ${ROUNDS} rounds, builds alternating; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end:\n`);
  for (const rig of rigs) {
    const m = (k: keyof Round): number => median(rig.rounds.map((x) => x[k]));
    const thread = cluster ? 'wall to commit' : 'main thread';
    process.stdout.write(`  ${rig.b.name.padEnd(15)} ${thread} ${m('threadUs').toFixed(1).padStart(5)} µs/check-in (median batch)  process CPU ${m('cpuUs').toFixed(1).padStart(5)} µs/check-in${cluster ? '' : `  WAL ${m('walPages').toFixed(2)} pages/check-in`}\n`);
  }
  for (const rig of rigs) await rig.db.close();
} finally {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
