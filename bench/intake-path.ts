/**
 * The intake's per-datagram path outside the database (docs/perf.md
 * "Centre intake", issue 11): CPU time of `CheckInIntake` per check-in from
 * the datagram handed over by the port to the sealed ack handed back, with
 * a lane that commits at once (no database, no socket), in this process.
 * What it counts is what the centre's main thread spends per ack besides
 * SQLite and the two UDP syscalls: header, key cache, open, the arrival and
 * its promise, the answer, seal, bookkeeping, and the garbage all that
 * leaves.
 * Baselines in the same run, alternating round by round, in-process against
 * in-process, same telegrams: the §5.2 codec alone (header, open, seal of
 * the same ack: what no intake can go below) and, with `--previous DIST`
 * (the `dist/` of an earlier build), that build's `CheckInIntake` on the
 * same port, lane and registry. Median of the rounds.
 * Run: npx tsc -p . && node dist/bench/intake-path.js [--previous DIR/dist] [--rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeTelegram, openAfterHeader, readTelegramHeader } from '../core/check-in-telegram.js';
import { unixSeconds } from '../core/check-in-verdict.js';
import type { DatagramAddress, DatagramPort } from '../core/datagram-port.js';
import { EMPTY_REPLAY_WINDOW, checkReplay, type ReplayWindow } from '../core/replay-window.js';
import { cryptoRandom } from '../src/adapters/crypto-random.js';
import { RealClock } from '../src/adapters/real-clock.js';
import type { CheckInLane } from '../src/centre/check-in-lane.js';
import { CheckInIntake } from '../src/centre/check-in-intake.js';
import type { CheckInArrival, CheckInOutcome } from '../src/centre/check-in-store.js';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { openDatabase } from '../src/database/open-database.js';
import { SQLITE_IN_MEMORY } from '../src/database/sqlite-database.js';
import { MasterKey } from '../src/storage/master-key.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const { values: args } = parseArgs({ options: { previous: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(args.rounds);
const DEVICES = 2000;
/** Check-ins per round, handed over in bursts of `BURST` (what one wake-up of the socket brings, and more). */
const PER_ROUND = 100_000;
const BURST = 512;
bound(`intake path (${ROUNDS} rounds × ${args.previous ? 3 : 2} cases × ${PER_ROUND.toLocaleString('en-US')} check-ins, in-process)`, 30 + ROUNDS * 3 * 15);

type IntakeClass = typeof CheckInIntake;
const previous = args.previous === undefined ? undefined : ((await import(pathToFileURL(join(resolve(args.previous), 'src/centre/check-in-intake.js')).href)) as { CheckInIntake: IntakeClass }).CheckInIntake;

const dir = mkdtempSync(join(tmpdir(), 'intake-path-'));
const db = await openDatabase({ engine: 'sqlite', path: SQLITE_IN_MEMORY });
const registry = await DeviceRegistry.open(db, MasterKey.load(dir, {}));
const keys = new Map<string, Uint8Array>();
for (let i = 0; i < DEVICES; i++) keys.set(`IB-${i}`, (await registry.add(`IB-${i}`, 'key-depot', {}, { actor: 'bench' })).key);
const ids = [...keys.keys()];
const from: DatagramAddress = { host: '127.0.0.1', port: 40000 };

/** A port whose datagrams this bench hands in and whose answers it counts. */
class BenchPort implements DatagramPort {
  readonly description = 'bench';
  listener: ((data: Uint8Array, from: DatagramAddress) => void) | undefined;
  answers = 0;
  send(): void {
    this.answers++;
  }
  onMessage(l: (data: Uint8Array, from: DatagramAddress) => void): void {
    this.listener = l;
  }
  close(): void {}
}

/** A lane that commits at once: the outcome a stored heartbeat gets, window moved on in memory. */
function instantLane(): CheckInLane {
  const windows = new Map<string, ReplayWindow>();
  return {
    store(a: CheckInArrival): Promise<CheckInOutcome> {
      const r = checkReplay(windows.get(a.telegram.deviceId) ?? EMPTY_REPLAY_WINDOW, a.telegram.counter);
      if (!r.fresh) return Promise.reject(new Error(`bench: counter ${a.telegram.counter} of ${a.telegram.deviceId} seen twice`));
      const window = r.next;
      windows.set(a.telegram.deviceId, window);
      return Promise.resolve({ verdict: 'accept', window, accepted: [], commands: [], newEvents: 0 });
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** Counter 1 is the warm-up's. */
let nextCounter = 2;
/** Telegrams for one round, built before its clock starts (fresh counters each round). */
function telegrams(): Uint8Array[] {
  const now = unixSeconds(Date.now());
  const out: Uint8Array[] = [];
  const c = nextCounter;
  for (let i = 0; i < PER_ROUND; i++) {
    const id = ids[i % DEVICES];
    out.push(encodeTelegram({ type: 'check-in', deviceId: id, counter: c + Math.floor(i / DEVICES), time: now, body: { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } } }, keys.get(id)!, cryptoRandom.bytes(12)));
  }
  nextCounter += Math.ceil(PER_ROUND / DEVICES);
  return out;
}

const turn = (): Promise<void> => new Promise((done) => setImmediate(done));

/** CPU µs per check-in through an intake built by `Intake`, every one answered. */
async function intakeRound(Intake: IntakeClass, list: Uint8Array[]): Promise<number> {
  const port = new BenchPort();
  const intake = new Intake({ db, registry, port, clock: new RealClock(), random: cryptoRandom, lanes: [instantLane()] });
  // Untimed: every key read once, as in a centre that has been running.
  for (const id of ids) port.listener!(encodeTelegram({ type: 'check-in', deviceId: id, counter: 1, time: unixSeconds(Date.now()), body: {} }, keys.get(id)!, cryptoRandom.bytes(12)), from);
  while (port.answers < DEVICES) await turn();
  port.answers = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < list.length; i += BURST) {
    for (let k = i; k < Math.min(list.length, i + BURST); k++) port.listener!(list[k], from);
    await turn();
  }
  while (port.answers < list.length) await turn();
  const c = process.cpuUsage(c0);
  await intake.close();
  return (c.user + c.system) / list.length;
}

/** CPU µs per check-in of the codec alone: header, open, seal of the same ack. */
async function codecRound(list: Uint8Array[]): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < list.length; i += BURST) {
    for (let k = i; k < Math.min(list.length, i + BURST); k++) {
      const head = readTelegramHeader(list[k]);
      if (!head.ok) throw new Error(head.detail);
      const key = keys.get(head.header.deviceId)!;
      const r = openAfterHeader(list[k], head, key);
      if (!r.ok) throw new Error(r.detail);
      const { deviceId, counter } = r.telegram;
      const nowS = unixSeconds(Date.now());
      encodeTelegram({ type: 'ack', deviceId, counter, time: nowS, body: { counter, serverTime: nowS, accepted: [], commands: [] } }, key, cryptoRandom.bytes(12));
    }
    await turn();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / list.length;
}

const cases: Array<[string, (list: Uint8Array[]) => Promise<number>]> = [
  ['CheckInIntake, this build', (l) => intakeRound(CheckInIntake, l)],
  ['codec alone (baseline)', codecRound],
];
if (previous) cases.push([`CheckInIntake, previous build`, (l) => intakeRound(previous, l)]);
const results = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const load0 = loadavg();
try {
  for (let r = 0; r < ROUNDS; r++) for (const [name, run] of cases) results.get(name)!.push(await run(telegrams()));
  process.stdout.write(`${PER_ROUND.toLocaleString('en-US')} check-ins per round from ${DEVICES} devices, bursts of ${BURST}, a lane that commits at once; in-process, median of ${ROUNDS} rounds, alternating;\n`);
  process.stdout.write(`load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end:\n`);
  for (const [name, samples] of results) process.stdout.write(`  ${name.padEnd(30)} ${median(samples).toFixed(2).padStart(6)} µs CPU per check-in  (rounds: ${samples.map((x) => x.toFixed(1)).join(' ')})\n`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
