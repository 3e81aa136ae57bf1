/**
 * What sets the tail of the intake's latency on SQLite (docs/perf.md
 * "Centre intake: what sets the p99"): how long each group commit of
 * check-ins holds the main thread, in-process, durable, as `centre serve`
 * runs it — batches of BATCH check-ins (about what a batch holds at 23,000
 * acks/s with 512 in flight) through `storeCheckIns`, the promise awaited
 * (the WAL fsync past the commit, on libuv's pool) before the next, over
 * 2,000 devices, one in ten with an event. Two settings of the same build,
 * alternating round by round, each on a database of its own:
 * - `auto-checkpoint 1000`: SQLite's default, what `centre serve` runs: the
 *   commit that takes the WAL past 1,000 frames copies them into the file
 *   and syncs the WAL and the file, on this thread, and the commit after it
 *   syncs the new WAL header;
 * - `no checkpoint`: `wal_autocheckpoint = 0` — no checkpoint at all during
 *   the round (the WAL only grows): the bound of what moving checkpoints off
 *   the commits could give. Not a setting for a centre.
 * Prints per setting the median, p90, p99 and largest time a commit held the
 * thread, and how many took more than three times the median (median of
 * the rounds).
 * Run: npx tsc -p . && node dist/bench/intake-commits.js [--rounds N] [--batch N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { CheckInBody } from '../core/check-in-body.js';
import type { ReplayWindow } from '../core/replay-window.js';
import { storeCheckIns, type CheckInArrival } from '../src/centre/check-in-store.js';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { openDatabase } from '../src/database/open-database.js';
import { MasterKey } from '../src/storage/master-key.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, batch: { type: 'string', default: '250' } } });
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);
const DEVICES = 2000;
const WARM = 200;
const TIMED = 1000;
const SETTINGS = [
  { name: 'auto-checkpoint 1000', frames: 1000 },
  { name: 'no checkpoint', frames: 0 },
] as const;
bound(`intake commits (${ROUNDS} rounds × ${SETTINGS.length} settings × ${WARM + TIMED} batches of ${BATCH})`, 60 + ROUNDS * SETTINGS.length * 60);

type Round = { p50: number; p90: number; p99: number; max: number; slow: number };
const dir = mkdtempSync(join(tmpdir(), 'intake-commits-'));
try {
  const master = MasterKey.load(dir, {});
  const results = new Map<string, Round[]>(SETTINGS.map((s) => [s.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, s] of SETTINGS.entries()) {
      const db = await openDatabase({ engine: 'sqlite', path: join(dir, `centre-${r}-${k}.db`) });
      const registry = await DeviceRegistry.open(db, master);
      const ids: string[] = [];
      for (let i = 0; i < DEVICES; i++) ids.push((await registry.add(`IC-${i}`, 'key-depot', {}, { actor: 'bench' })).device.id);
      await sql`pragma wal_autocheckpoint = ${sql.raw(String(s.frames))}`.execute(db.kysely);
      const windows = new Map<string, ReplayWindow>();
      const counters = new Map<string, number>();
      let now = 1_780_000_000_000;
      let next = 0;
      const held: number[] = [];
      for (let b = 0; b < WARM + TIMED; b++) {
        const arrivals: CheckInArrival[] = [];
        for (let i = 0; i < BATCH; i++) {
          const id = ids[next++ % DEVICES];
          const counter = (counters.get(id) ?? 0) + 1;
          counters.set(id, counter);
          now += 20;
          const t = Math.floor(now / 1000);
          const body: CheckInBody = next % 10 === 0 ? { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: counter, time: t, type: 'door-open' }] } : { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } };
          arrivals.push({ telegram: { type: 'check-in', deviceId: id, counter, time: t, nonce: new Uint8Array(12), body }, receivedAt: now, source: '127.0.0.1:4000', window: windows.get(id) });
        }
        const t0 = performance.now();
        // The transaction runs and commits on this thread; the promise waits for the WAL fsync (libuv's pool).
        const done = db.run(() => storeCheckIns(db.kysely, arrivals));
        const t = performance.now() - t0;
        for (const [i, o] of (await done).entries()) if (o.verdict === 'accept') windows.set(arrivals[i].telegram.deviceId, o.window);
        if (b >= WARM) held.push(t);
      }
      await db.close();
      held.sort((a, b) => a - b);
      const q = (f: number): number => held[Math.min(held.length - 1, Math.floor(f * held.length))];
      results.get(s.name)!.push({ p50: q(0.5), p90: q(0.9), p99: q(0.99), max: held[held.length - 1], slow: held.filter((x) => x > 3 * q(0.5)).length });
    }
  }
  process.stdout.write(`SQLite, durable, ${DEVICES} devices, batches of ${BATCH} check-ins (one in ten with an event), ${TIMED} timed per round; time a commit held the main thread, median of ${ROUNDS} rounds, settings alternating; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end:\n`);
  for (const s of SETTINGS) {
    const rs = results.get(s.name)!;
    const m = (key: keyof Round): number => median(rs.map((x) => x[key]));
    process.stdout.write(`  ${s.name.padEnd(21)} p50 ${m('p50').toFixed(1).padStart(5)} ms  p90 ${m('p90').toFixed(1).padStart(5)} ms  p99 ${m('p99').toFixed(1).padStart(6)} ms  max ${m('max').toFixed(1).padStart(6)} ms  over 3× p50: ${m('slow')} of ${TIMED}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
