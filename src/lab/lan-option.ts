import { parseDatagramAddress, type DatagramPort } from '../../core/datagram-port.js';
import type { RandomSource } from '../../core/random-source.js';
import type { CheckInReport } from '../../firmware-sim/check-in-client.js';
import { LanCheckIn } from '../../firmware-sim/lan-check-in.js';
import type { Outcome, Pbx } from '../../firmware-sim/pbx.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import type { MemoryDatagramNetwork } from '../adapters/memory-datagram-network.js';
import type { Logger } from '../logger.js';
import { checkInKey, type LanEntry } from './config.js';
import { openDevicePort } from './device-port.js';

/** The user the lab's configuration writes the LAN settings into the KDS as (protocol log: `lab S (1) LAN-…`). */
export const LAB_INSTALLER = 'lab';

export interface LanOptionOptions {
  logger: Logger;
  onDisk: boolean;
  datagrams?: MemoryDatagramNetwork;
  random?: RandomSource;
  onReport?: (report: CheckInReport) => void;
}

/**
 * A lab PBX's LAN option (docs/configuration.md `pbxs[].lan`): the lab
 * writes the configured centre, key and interval into the PBX's KDS as an
 * installer would (only what differs, each a logged change), opens the
 * PBX's UDP socket and runs the firmware's check-in (firmware-sim/lan-check-in.ts).
 */
export class LanOption {
  readonly check: LanCheckIn;
  readonly #port: DatagramPort;

  private constructor(check: LanCheckIn, port: DatagramPort) {
    this.check = check;
    this.#port = port;
  }

  static async start(pbx: Pbx, setKds: (path: string, value: string) => Outcome<unknown>, entry: LanEntry, options: LanOptionOptions): Promise<LanOption> {
    const wanted: Array<[string, string]> = [['lan.centre', entry.centre], ['lan.interval', String(entry.interval)]];
    for (const [path, value] of wanted) if (pbx.kds.get(path) !== value) LanOption.#set(setKds, path, value);
    const key = checkInKey(entry, pbx.systemId);
    if (pbx.openSecret('lan.key') !== key) LanOption.#set(setKds, 'lan.key', key);
    if (!pbx.kds.flag('lan.enabled')) LanOption.#set(setKds, 'lan.enabled', 'yes');
    const port = await openDevicePort(parseDatagramAddress(entry.centre), options);
    const check = new LanCheckIn({ pbx, port, random: options.random ?? cryptoRandom, onReport: options.onReport });
    check.start();
    options.logger.info({ centre: entry.centre, interval: entry.interval, port: port.description }, 'LAN option checking in');
    return new LanOption(check, port);
  }

  static #set(setKds: (path: string, value: string) => Outcome<unknown>, path: string, value: string): void {
    const r = setKds(path, value);
    if (!r.ok) throw new Error(`LAN option: cannot set ${path}: ${r.error}`);
  }

  /** Power up again after `stop()` (a power cycle in memory). */
  start(): void {
    this.check.start();
  }

  stop(): void {
    this.check.stop();
  }

  close(): void {
    this.check.stop();
    this.#port.close();
  }
}
