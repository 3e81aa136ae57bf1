import { randomBytes } from 'node:crypto';
import type { LevelWithSilent } from 'pino';
import { parseDatagramAddress, type DatagramAddress } from '../../core/datagram-port.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import { ScaledClock } from '../adapters/scaled-clock.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { Fleet } from '../fleet/fleet.js';
import { formatFleetSummary } from '../fleet/fleet-stats.js';
import { ioReason } from '../io-reason.js';
import { localEndFor } from '../lab/device-port.js';
import { createLogger } from '../logger.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { DeviceKeysError, formatDeviceKey, readDeviceKeys, type DeviceKey } from '../storage/device-keys-file.js';
import { untilSignal } from './until-signal.js';
import { checkWritable } from './user-files.js';

/** Socket buffers of the fleet: answers come in bursts as large as the fleet. */
const FLEET_SOCKET_BUFFER = 4 << 20;

export interface FleetCliOptions {
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

function centreAddress(spec: string): DatagramAddress {
  if (!spec.startsWith('udp:')) throw new ExitError(`--centre ${spec}: expected udp:HOST:PORT`, EXIT.usage);
  try {
    return parseDatagramAddress(spec.slice(4));
  } catch (err) {
    throw new ExitError(`--centre ${spec}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** Devices from the keys file, or made up: a `pbxShare` of PBXs spread among depots, ids FLEET-P…/FLEET-D…, keys from the seed or the CSPRNG. */
function fleetDevices(o: FleetCliOptions): DeviceKey[] {
  if (o.keys) {
    let all: DeviceKey[];
    try {
      all = readDeviceKeys(o.keys);
    } catch (err) {
      throw new ExitError(err instanceof DeviceKeysError ? err.message : `${o.keys}: ${ioReason(err)}`, EXIT.usage);
    }
    if (all.length === 0) throw new ExitError(`${o.keys}: no devices in the keys file`, EXIT.usage);
    if (o.devices !== undefined && o.devices > all.length) throw new ExitError(`--devices ${o.devices}: the keys file has only ${all.length}`, EXIT.usage);
    return all.slice(0, o.devices ?? all.length);
  }
  if (o.devices === undefined) throw new ExitError('give --devices N (or --keys FILE with the devices the centre knows)', EXIT.usage);
  const seeded = o.seed === undefined ? undefined : new SeededRandom(o.seed);
  const width = String(o.devices).length;
  return Array.from({ length: o.devices }, (_, i): DeviceKey => {
    // PBXs spread evenly among the depots, so any first N of the list has both kinds.
    const kind = Math.floor((i + 1) * o.pbxShare) > Math.floor(i * o.pbxShare) ? 'pbx' : 'key-depot';
    const id = `FLEET-${kind === 'pbx' ? 'P' : 'D'}${String(i + 1).padStart(width, '0')}`;
    return { id, kind, key: seeded ? seeded.bytes(32) : new Uint8Array(randomBytes(32)) };
  });
}

/** `hicom-sim fleet`: bad options and files exit 2 before a socket opens; a centre that answers nothing is no connection (3). */
export async function fleet(o: FleetCliOptions, logLevel: string): Promise<void> {
  if (o.writeKeys !== undefined) checkWritable(o.writeKeys, '--write-keys');
  const logger = createLogger(logLevel as LevelWithSilent).child({ component: 'fleet' });
  const centre = centreAddress(o.centre);
  const devices = fleetDevices(o);
  if (o.writeKeys) writeFileAtomic(o.writeKeys, `${devices.map(formatDeviceKey).join('\n')}\n`);
  else if (!o.keys) logger.warn('the devices have made-up keys: a centre answers them only if it knows them (--write-keys FILE writes them out)');
  const sockets = [];
  try {
    for (let i = 0; i < Math.min(o.sockets, devices.length); i++) sockets.push(await UdpDatagramPort.open({ host: localEndFor(centre), logger, receiveBufferBytes: FLEET_SOCKET_BUFFER, sendBufferBytes: FLEET_SOCKET_BUFFER }));
  } catch (err) {
    for (const s of sockets) s.close();
    throw new ExitError(`cannot open a UDP socket towards ${o.centre}: ${ioReason(err)}`, EXIT.connection);
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
  if (summary.acks + summary.naks.replay + summary.naks['clock-skew'] === 0) throw new ExitError(`no check-in was answered by ${o.centre} (${summary.sent} sent): is the centre running, and does it know these devices' keys?`, EXIT.connection);
}
