import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { parseDatagramAddress, type DatagramAddress } from '../../core/datagram-port.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import { ScaledClock } from '../adapters/scaled-clock.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import { Fleet } from '../fleet/fleet.js';
import { formatFleetSummary } from '../fleet/fleet-stats.js';
import { localEndFor } from '../lab/device-port.js';
import { createLogger } from '../logger.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { DeviceKeysError, formatDeviceKey, readDeviceKeys, type DeviceKey } from '../storage/device-keys-file.js';
import { CliError } from './cli-error.js';
import { untilSignal } from './until-signal.js';

/** Socket buffers of the fleet: answers come in bursts as large as the fleet. */
const FLEET_SOCKET_BUFFER = 4 << 20;

interface FleetCliOptions {
  devices?: number;
  centre: string;
  speed: number;
  keys?: string;
  duration: number;
  activity: number;
  pbxShare: number;
  sockets: number;
  seed?: number;
  writeKeys?: string;
  json?: boolean;
}

const positiveInt = (max: number) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new InvalidArgumentError(`a whole number 1–${max}`);
  return Number(v);
};
const positive = (max: number) => (v: string): number => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > max) throw new InvalidArgumentError(`a number above 0, at most ${max}`);
  return n;
};
const share = (v: string): number => {
  const n = Number(v);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(v)) throw new InvalidArgumentError('a fraction 0–1');
  return n;
};

function centreAddress(spec: string): DatagramAddress {
  if (!spec.startsWith('udp:')) throw new CliError(`--centre ${spec}: expected udp:HOST:PORT`, 2);
  try {
    return parseDatagramAddress(spec.slice(4));
  } catch (err) {
    throw new CliError(`--centre ${spec}: ${(err as Error).message}`, 2);
  }
}

/** Devices from the keys file, or made up: a `pbxShare` of PBXs spread among depots, ids FLEET-P…/FLEET-D…, keys from the seed or the CSPRNG. */
function fleetDevices(o: FleetCliOptions): DeviceKey[] {
  if (o.keys) {
    let all: DeviceKey[];
    try {
      all = readDeviceKeys(o.keys);
    } catch (err) {
      throw new CliError(err instanceof DeviceKeysError ? err.message : `${o.keys}: ${(err as Error).message}`, 2);
    }
    if (all.length === 0) throw new CliError(`${o.keys}: no devices in the keys file`, 2);
    if (o.devices !== undefined && o.devices > all.length) throw new CliError(`--devices ${o.devices}: the keys file has only ${all.length}`, 2);
    return all.slice(0, o.devices ?? all.length);
  }
  if (o.devices === undefined) throw new CliError('give --devices N (or --keys FILE with the devices the centre knows)', 2);
  const seeded = o.seed === undefined ? undefined : new SeededRandom(o.seed);
  const width = String(o.devices).length;
  return Array.from({ length: o.devices }, (_, i): DeviceKey => {
    // PBXs spread evenly among the depots, so any first N of the list has both kinds.
    const kind = Math.floor((i + 1) * o.pbxShare) > Math.floor(i * o.pbxShare) ? 'pbx' : 'key-depot';
    const id = `FLEET-${kind === 'pbx' ? 'P' : 'D'}${String(i + 1).padStart(width, '0')}`;
    return { id, kind, key: seeded ? seeded.bytes(32) : new Uint8Array(randomBytes(32)) };
  });
}

/** `hicom-sim fleet`: N simulated devices against a real centre over real UDP (docs/fleet.md). */
export function register(program: Command): void {
  program
    .command('fleet')
    .description('run N simulated key depots and LAN PBXs (real firmware) against a centre over UDP; summary of acks, naks, timeouts and latency')
    .requiredOption('--centre <udp:HOST:PORT>', "the centre's UDP intake")
    .option('--devices <n>', 'how many devices (default: all of --keys)', positiveInt(1_000_000))
    .option('--keys <file>', 'the devices and their keys, lines "ID KIND KEY" (docs/fleet.md); without it ids and keys are made up, which a real centre rejects')
    .option('--speed <x>', 'run the devices\' clocks x times faster: x times the check-ins of real devices', positive(100_000), 1)
    .option('--duration <s>', 'seconds to run (real time)', positive(7 * 86_400), 60)
    .option('--activity <n>', 'events per device per hour of device time (door, class-B error)', (v) => (v === '0' ? 0 : positive(3600)(v)), 1)
    .option('--pbx-share <f>', 'share of PBXs among made-up devices (0–1)', share, 0.5)
    .option('--sockets <n>', 'UDP sockets the devices share', positiveInt(1024), 16)
    .option('--seed <n>', 'seed for made-up keys, start times and activity (repeatable runs)', positiveInt(2 ** 31))
    .option('--write-keys <file>', 'write the (made-up) devices and keys as a keys file, e.g. for a test centre')
    .option('--json', 'print the summary as one JSON object')
    .action(async (o: FleetCliOptions) => {
      const logger = createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel).child({ component: 'fleet' });
      const centre = centreAddress(o.centre);
      const devices = fleetDevices(o);
      if (o.writeKeys) writeFileAtomic(o.writeKeys, `${devices.map(formatDeviceKey).join('\n')}\n`);
      else if (!o.keys) logger.warn('the devices have made-up keys: a centre answers them only if it knows them (--write-keys FILE writes them out)');
      const sockets = [];
      try {
        for (let i = 0; i < Math.min(o.sockets, devices.length); i++) sockets.push(await UdpDatagramPort.open({ host: localEndFor(centre), logger, receiveBufferBytes: FLEET_SOCKET_BUFFER, sendBufferBytes: FLEET_SOCKET_BUFFER }));
      } catch (err) {
        for (const s of sockets) s.close();
        throw new CliError((err as Error).message);
      }
      const seeded = new SeededRandom(o.seed ?? (randomBytes(4).readUInt32LE(0) | 1));
      const fleet = new Fleet({ devices, centre, sockets, clock: new ScaledClock(o.speed), speed: o.speed, random: cryptoRandom, activityPerHour: o.activity, uniform: () => seeded.next() });
      fleet.build();
      const started = Date.now();
      fleet.start();
      // Sockets keep the process alive; the run ends after --duration or at SIGINT/SIGTERM.
      await untilSignal((stop) => setTimeout(stop, o.duration * 1000));
      fleet.stop();
      for (const s of sockets) s.close();
      const summary = fleet.stats.summary({ devices: devices.length, depots: fleet.depots, pbxs: fleet.pbxs, centre: o.centre.slice(4), speed: o.speed, durationS: (Date.now() - started) / 1000 });
      process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${formatFleetSummary(summary).join('\n')}\n`);
      if (summary.acks + summary.naks.replay + summary.naks['clock-skew'] === 0) throw new CliError(`no check-in was answered by ${o.centre} (${summary.sent} sent): is the centre running, and does it know these devices' keys?`);
    });
}
