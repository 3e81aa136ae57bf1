/**
 * Intake throughput of the centre (docs/perf.md "## Centre intake"): acks
 * per second of `hicom-sim centre serve` in one process, on SQLite and on
 * PostgreSQL (both durable: SQLite synchronous=FULL, PostgreSQL fsync on),
 * every ack sent only after its telegram committed, with p50/p99 latency
 * measured by the load generator in the same run. Baseline from the same
 * run, alternating with it: the §5.2 responder process (the same protocol
 * work, everything in memory, no database) — whole process against whole
 * process, same sender, same telegrams. Median of the rounds.
 * Run: npx tsc -p . && node dist/bench/centre-intake.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { sendCheckIns } from './support/check-in-sender.js';

const ROUND_S = 4;
const ROUNDS = 3;
const DEVICES = 2000;
/** Telegrams in flight: enough to keep a batching centre busy, as a burst after an outage does. */
const WINDOW = 512;
bound(`centre intake (${ROUNDS} rounds × SQLite, PostgreSQL and the in-memory responder × ${ROUND_S} s)`, 240);

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../bin/hicom-sim.js');
const dir = mkdtempSync(join(tmpdir(), 'intake-bench-'));
const state = join(dir, 'state');
const cluster = await startPostgresCluster({ durable: true });
const specs = { sqlite: `sqlite:${join(dir, 'centre.db')}`, postgres: await cluster.createDatabase('bench') };
type Device = { id: string; key: Uint8Array };
/** The same device ids registered in each database (each with the key its registry made). */
const fleets: Record<keyof typeof specs, Device[]> = { sqlite: [], postgres: [] };
for (const engine of ['sqlite', 'postgres'] as const) {
  const db = await openDatabase(parseDatabaseUrl(specs[engine]));
  const registry = await DeviceRegistry.open(db, MasterKey.load(state, {}));
  for (let i = 0; i < DEVICES; i++) fleets[engine].push({ id: `IB-${i}`, key: (await registry.add(`IB-${i}`, 'key-depot', {}, { actor: 'bench' })).key });
  await db.close();
}
const devices = fleets.sqlite;
writeFileSync(join(dir, 'keys.txt'), devices.map((d) => formatDeviceKey({ id: d.id, kind: 'key-depot', key: d.key })).join('\n'));

function start(args: string[], ready: RegExp, address: RegExp): Promise<{ child: ChildProcess; centre: DatagramAddress }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

const counters = new Map<string, number>();
type Round = { ackedPerS: number; p50: number; p99: number };

async function round(centre: DatagramAddress, devices: Device[]): Promise<Round> {
  const r = await sendCheckIns({
    centre,
    devices,
    window: WINDOW,
    durationMs: ROUND_S * 1000,
    counter: (d) => {
      const counter = (counters.get(d.id) ?? 0) + 1;
      counters.set(d.id, counter);
      return counter;
    },
    body: (n, counter, now): CheckInBody => (n % 10 === 0 ? { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: counter, time: now, type: 'door-open' }] } : { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } }),
  });
  return { ackedPerS: r.answered / r.seconds, p50: r.p50, p99: r.p99 };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const results: Record<string, Round[]> = { 'centre serve, SQLite': [], 'centre serve, PostgreSQL': [], 'responder (no database)': [] };
const centres: Array<[string, string[], Device[]]> = [
  ['centre serve, SQLite', [cli, 'centre', 'serve', '--db', specs.sqlite, '-s', state, '--udp', '127.0.0.1:0', '--no-http', '--log-level', 'warn'], fleets.sqlite],
  ['centre serve, PostgreSQL', [cli, 'centre', 'serve', '--db', specs.postgres, '-s', state, '--udp', '127.0.0.1:0', '--no-http', '--log-level', 'warn'], fleets.postgres],
  ['responder (no database)', [join(here, '../test/support/responder-process.js'), join(dir, 'keys.txt')], fleets.sqlite],
];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, args, fleet] of centres) {
      const { child, centre } = await start(args, /^(Ctrl-C stops the centre\.|listening )/, /(?:UDP intake: udp |listening )(\S+)/);
      results[name].push(await round(centre, fleet));
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  }
  process.stdout.write(`${DEVICES} devices, ${WINDOW} telegrams in flight, one in ten with an event; median of ${ROUNDS} rounds of ${ROUND_S} s, whole process against whole process:\n`);
  for (const [name, rounds] of Object.entries(results)) {
    const m = (k: keyof Round): number => median(rounds.map((x) => x[k]));
    process.stdout.write(`  ${name.padEnd(26)} ${fmt(m('ackedPerS')).padStart(7)} acks/s  p50 ${m('p50').toFixed(1)} ms  p99 ${m('p99').toFixed(1)} ms\n`);
  }
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
