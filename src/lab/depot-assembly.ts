import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { parseDatagramAddress, type DatagramAddress, type DatagramPort } from '../../core/datagram-port.js';
import type { FlashDevice } from '../../core/flash-device.js';
import type { RandomSource } from '../../core/random-source.js';
import type { CheckInReport } from '../../firmware-sim/check-in-client.js';
import { DepotCabinet } from '../../firmware-sim/key-depot/depot-cabinet.js';
import { DEPOT_BLOCK_SIZE, DEPOT_FLASH_SIZE, KeyDepot } from '../../firmware-sim/key-depot/key-depot.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { bindLine, type LineProvider } from '../adapters/bind-line.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import type { MemoryDatagramNetwork } from '../adapters/memory-datagram-network.js';
import type { Logger } from '../logger.js';
import { FileFlash } from '../storage/file-flash.js';
import { checkInKey, type DepotEntry } from './config.js';
import { DepotLine } from './depot-line.js';
import { openDevicePort } from './device-port.js';
import type { LabDevice, PowerCycleOptions, PowerCycleResult } from './lab-device.js';
import { TornWriteFlash } from './torn-write-flash.js';

export interface DepotAssemblyOptions {
  clock: Clock;
  /** The depot's own logger (component "depot"). */
  logger: Logger;
  /** Where its flash image lives (files mode): `<stateDir>/depot-flash.img`. */
  stateDir: string;
  /** false: flash in RAM, the lab's in-process UDP network, no keypad line bound. */
  onDisk: boolean;
  /** Memory mode: the in-process network the centre address is on. */
  datagrams?: MemoryDatagramNetwork;
  /** Nonces; the operating system's CSPRNG unless a scenario seeds them. */
  random?: RandomSource;
  /** Every check-in report of the depot (for the lab's events). */
  onReport?: (report: CheckInReport) => void;
}

/**
 * One key depot of a lab (docs/key-depot.md): its cabinet (the keys, locks,
 * door and mains a person acts on), its firmware on a flash image that
 * survives restarts and power cycles, the UDP socket it checks in through,
 * and its keypad line bound like an admin port.
 */
export class DepotAssembly {
  readonly cabinet: DepotCabinet;
  readonly centre: DatagramAddress;
  readonly #flash: FlashDevice & { close?: () => void };
  readonly #o: DepotAssemblyOptions;
  #depot!: KeyDepot;
  #port!: DatagramPort;
  #tearable!: TornWriteFlash;
  keypad: LineProvider | undefined;

  private constructor(readonly entry: DepotEntry, options: DepotAssemblyOptions) {
    this.#o = options;
    this.centre = parseDatagramAddress(entry.centre);
    this.cabinet = new DepotCabinet(entry.compartments);
    if (options.onDisk) {
      mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
      this.#flash = new FileFlash(join(options.stateDir, 'depot-flash.img'), { size: DEPOT_FLASH_SIZE, blockSize: DEPOT_BLOCK_SIZE });
    } else {
      this.#flash = new MemoryFlash({ size: DEPOT_FLASH_SIZE, blockSize: DEPOT_BLOCK_SIZE });
    }
  }

  /** Power the depot up; its keypad line is bound before this returns (files mode). */
  static async start(entry: DepotEntry, options: DepotAssemblyOptions): Promise<DepotAssembly> {
    const a = new DepotAssembly(entry, options);
    try {
      await a.#boot();
      if (options.onDisk && entry.keypad) {
        a.keypad = await bindLine(entry.keypad, (line) => {
          options.logger.info({ line: line.description }, 'keypad line connected');
          new DepotLine(line, { id: entry.id, cabinet: a.cabinet, depot: () => a.#depot, powerCycle: () => a.powerCycle() });
        }, { logger: options.logger });
      }
    } catch (err) {
      await a.close();
      throw err;
    }
    options.logger.info({ compartments: entry.compartments, centre: entry.centre }, 'key depot started');
    return a;
  }

  get depot(): KeyDepot {
    return this.#depot;
  }

  async #boot(): Promise<void> {
    this.#port = await openDevicePort(this.centre, { onDisk: this.#o.onDisk, datagrams: this.#o.datagrams, logger: this.#o.logger });
    this.#tearable = new TornWriteFlash(this.#flash);
    this.#depot = KeyDepot.boot({
      id: this.entry.id,
      key: Buffer.from(checkInKey(this.entry, this.entry.id), 'base64'),
      centre: this.centre,
      port: this.#port,
      clock: this.#o.clock,
      random: this.#o.random ?? cryptoRandom,
      flash: this.#tearable,
      hardware: this.cabinet,
      defaultIntervalS: this.entry.interval,
      onReport: (r) => {
        if (r.type === 'fault') this.#o.logger.error({ err: r.error.message }, 'key depot stopped: flash fault');
        this.#o.onReport?.(r);
      },
    });
    this.cabinet.attach(this.#depot);
  }

  /**
   * Cut the power and start again over the same flash (and cabinet: keys
   * stay where they are). With `tornWrite` the power fails during the
   * depot's next flash write instead, and the restart follows then.
   */
  async powerCycle(options: PowerCycleOptions = {}): Promise<PowerCycleResult> {
    if (options.tornWrite) {
      this.#tearable.arm(options.tornWrite.afterBytes, () => void Promise.resolve().then(() => this.#restart()));
      return { armed: true };
    }
    await this.#restart();
    return { restarted: true };
  }

  async #restart(): Promise<void> {
    this.#depot.powerOff();
    this.cabinet.attach(undefined);
    this.#port.close();
    await this.#boot();
    this.#o.logger.info('key depot powered up again');
  }

  /** The depot as the lab's control port sees it (`device.*`). */
  device(): LabDevice {
    return {
      id: this.entry.id,
      kind: 'key-depot',
      summary: () => ({
        compartments: this.entry.compartments,
        keys: this.cabinet.keys(),
        open: this.#depot.openCompartments(),
        door: this.cabinet.doorOpen() ? 'open' : 'closed',
        mains: this.cabinet.mainsPresent(),
        firmware: this.#depot.lifecycle,
        checkIn: this.#depot.checkInState,
        online: this.#depot.online,
        queued: this.#depot.pendingEvents().length,
        centre: this.entry.centre,
      }),
      press: (keys) => {
        for (const k of keys) this.#depot.press(k as Parameters<KeyDepot['press']>[0]);
      },
      display: () => this.#depot.display().map((l) => l.trimEnd()),
      powerCycle: (o) => this.powerCycle(o),
    };
  }

  describe(): string[] {
    return [
      `key depot ${this.entry.id} (${this.entry.compartments} compartments), checks in with ${this.entry.centre} every ${this.#depot.intervalS} s`,
      `  keypad line: ${this.keypad?.description ?? '(none bound)'}`,
    ];
  }

  async close(): Promise<void> {
    this.#depot?.powerOff();
    this.#port?.close();
    await this.keypad?.close();
    this.#flash.close?.();
  }
}
