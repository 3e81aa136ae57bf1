/**
 * Fleet generator figures (docs/perf.md "## Fleet generator"): check-ins per
 * second the generator sends and gets answered, with answer latency, against
 * a §5.2 responder in its own process over UDP loopback — at a set load and
 * saturated. Baseline from the same run, alternating with it: a bare sender
 * in this process that sends pre-encoded telegrams of other devices to the
 * same responder as fast as answers come back (the path's capacity without
 * any firmware: encode, send, decode the answer). CPU time per answered
 * check-in is the generator's cost. Median of the rounds.
 * Run: npx tsc -p . && node dist/bench/fleet.js
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadlineParser } from '@serialport/parser-readline';
import { parseDatagramAddress, type DatagramAddress } from '../core/datagram-port.js';
import { SeededRandom } from '../core/seeded-random.js';
import { cryptoRandom } from '../src/adapters/crypto-random.js';
import { ScaledClock } from '../src/adapters/scaled-clock.js';
import { UdpDatagramPort } from '../src/adapters/udp-datagram-port.js';
import { Fleet, fleetFirstCounter } from '../src/fleet/fleet.js';
import { formatDeviceKey, type DeviceKey } from '../src/storage/device-keys-file.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';
import { sendCheckIns } from './support/check-in-sender.js';

const ROUND_S = 4;
const ROUNDS = 3;
const LOADS = [{ name: 'at load', devices: 1000, speed: 60 }, { name: 'saturated', devices: 2000, speed: 1200 }] as const;
const BARE_WINDOW = 64;
bound(`fleet generator (${ROUNDS} rounds × fleet and bare sender × ${LOADS.length} loads of ${ROUND_S} s)`, 150);

const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
const seeded = new SeededRandom(11);
const fleetDevices: DeviceKey[] = Array.from({ length: 2000 }, (_, i) => ({ id: `FB-${i}`, kind: i % 2 ? 'pbx' : 'key-depot', key: seeded.bytes(32) }));
const bareDevices: DeviceKey[] = Array.from({ length: 2000 }, (_, i) => ({ id: `BB-${i}`, kind: 'key-depot', key: seeded.bytes(32) }));
writeFileSync(join(dir, 'keys.txt'), [...fleetDevices, ...bareDevices].map(formatDeviceKey).join('\n'));

const child = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), '../test/support/responder-process.js'), join(dir, 'keys.txt')], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = child.stdout.pipe(new ReadlineParser({ delimiter: '\n' }));
const centre: DatagramAddress = await new Promise((resolve) => lines.once('data', (l: string) => resolve(parseDatagramAddress(l.replace('listening ', '')))));

async function fleetRound(devices: number, speed: number): Promise<Round> {
  const sockets = await Promise.all(Array.from({ length: 16 }, () => UdpDatagramPort.open({ receiveBufferBytes: 4 << 20, sendBufferBytes: 4 << 20 })));
  const uniform = new SeededRandom(devices + speed);
  const fleet = new Fleet({ devices: fleetDevices.slice(0, devices), centre, sockets, clock: new ScaledClock(speed), speed, random: cryptoRandom, activityPerHour: 1, uniform: () => uniform.next() });
  fleet.build();
  const c0 = cpuUs();
  const t0 = performance.now();
  fleet.start();
  await new Promise((r) => setTimeout(r, ROUND_S * 1000));
  fleet.stop();
  const s = fleet.stats.summary({ devices, depots: 0, pbxs: 0, centre: '', speed, durationS: (performance.now() - t0) / 1000 });
  const cpu = cpuUs() - c0;
  for (const x of sockets) x.close();
  return { sentPerS: s.sentPerS, ackedPerS: s.acks / s.durationS, p50: s.latencyMs.p50 ?? NaN, p99: s.latencyMs.p99 ?? NaN, cpuUsPerCheckIn: cpu / Math.max(1, s.acks) };
}

let bareCounter = fleetFirstCounter(Date.now()) + 0x0800_0000;
type Round = { sentPerS: number; ackedPerS: number; p50: number; p99: number; cpuUsPerCheckIn: number };

/** CPU time of this process (user + system) in microseconds. */
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * The protocol's least work per check-in, for the same responder: encode a
 * check-in of another device with a fresh nonce, send it, decode and check
 * the answer — `BARE_WINDOW` in flight, as fast as answers come back.
 */
async function bareRound(): Promise<Round> {
  const c0 = cpuUs();
  const r = await sendCheckIns({
    centre,
    devices: bareDevices,
    window: BARE_WINDOW,
    durationMs: ROUND_S * 1000,
    answer: 'any',
    counter: () => bareCounter++,
    body: () => ({ status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } }),
  });
  const cpu = cpuUs() - c0;
  return { sentPerS: r.sent / r.seconds, ackedPerS: r.answered / r.seconds, p50: r.p50, p99: r.p99, cpuUsPerCheckIn: cpu / Math.max(1, r.answered) };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
try {
  for (const load of LOADS) {
    const fleet: Round[] = [];
    const bare: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      fleet.push(await fleetRound(load.devices, load.speed));
      bare.push(await bareRound());
    }
    const m = (xs: Round[], k: keyof Round): number => median(xs.map((x) => x[k]));
    process.stdout.write(`${load.name.padEnd(9)} (${load.devices} devices × speed ${load.speed} = ${fmt((load.devices * load.speed) / 60)}/s asked): fleet sent ${fmt(m(fleet, 'sentPerS'))}/s, answered ${fmt(m(fleet, 'ackedPerS'))}/s, p50 ${m(fleet, 'p50').toFixed(2)} ms, p99 ${m(fleet, 'p99').toFixed(2)} ms, ${m(fleet, 'cpuUsPerCheckIn').toFixed(0)} µs CPU a check-in | bare sender (${BARE_WINDOW} in flight) answered ${fmt(m(bare, 'ackedPerS'))}/s, p50 ${m(bare, 'p50').toFixed(2)} ms, p99 ${m(bare, 'p99').toFixed(2)} ms, ${m(bare, 'cpuUsPerCheckIn').toFixed(0)} µs CPU a check-in\n`);
  }
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
