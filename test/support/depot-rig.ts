/**
 * A key depot on a bench, in virtual time: the firmware on an in-process
 * UDP network with a §5.2 responder as its centre, a simulated cabinet, a
 * flash that can be swapped for a power-cut one, and reboots over the same
 * flash bytes. Shared by the depot tests, the power-cut test and benches.
 */
import { VirtualClock } from '../../core/clock.js';
import type { FlashDevice } from '../../core/flash-device.js';
import { SeededRandom } from '../../core/seeded-random.js';
import type { CheckInReport } from '../../firmware-sim/check-in-client.js';
import { DepotCabinet } from '../../firmware-sim/key-depot/depot-cabinet.js';
import type { KeypadKey } from '../../firmware-sim/key-depot/depot-keypad.js';
import { KeyDepot, type DepotFlashLayout, DEFAULT_DEPOT_LAYOUT, DEPOT_FLASH_SIZE, DEPOT_BLOCK_SIZE } from '../../firmware-sim/key-depot/key-depot.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { hashSecret } from '../../firmware-sim/secret-hash.js';
import { MemoryDatagramNetwork } from '../../src/adapters/memory-datagram-network.js';
import { CheckInResponder } from './check-in-responder.js';

export const DEPOT_ID = 'SD-0001';
export const CENTRE = { host: '127.0.0.1', port: 4711 };
/** Cheap scrypt for PIN hashes in tests (the depot checks whatever cost the centre chose). */
export const TEST_PIN_COST = 16;

/** A small flash whose queue wraps after a few dozen events: 512-byte blocks. */
export const SMALL_DEPOT_BLOCK = 512;
export const SMALL_DEPOT_LAYOUT: DepotFlashLayout = {
  counter: { offset: 0, size: 2 * SMALL_DEPOT_BLOCK },
  config: { offset: 2 * SMALL_DEPOT_BLOCK, size: 8 * SMALL_DEPOT_BLOCK },
  queue: { offset: 10 * SMALL_DEPOT_BLOCK, size: 12 * SMALL_DEPOT_BLOCK },
};
export const SMALL_DEPOT_FLASH_SIZE = 22 * SMALL_DEPOT_BLOCK;

export function pinHash(pin: string): string {
  return hashSecret(pin, TEST_PIN_COST);
}

export interface DepotRigOptions {
  compartments?: number;
  small?: boolean;
  clock?: VirtualClock;
  latencyMs?: number;
  /** The depot's key (default: a fixed one); a real centre's registry makes it. */
  key?: Uint8Array;
}

export class DepotRig {
  readonly clock: VirtualClock;
  readonly net: MemoryDatagramNetwork;
  readonly centre: CheckInResponder;
  readonly cabinet: DepotCabinet;
  readonly key: Uint8Array;
  readonly layout: DepotFlashLayout;
  readonly card: MemoryFlash;
  /** Every check-in report of every boot, with when and in which boot it came. */
  readonly reports: Array<CheckInReport & { at: number; boot: number }> = [];
  depot!: KeyDepot;
  boots = 0;

  constructor(options: DepotRigOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.key = options.key ?? new SeededRandom(4242).bytes(32);
    this.net = new MemoryDatagramNetwork(this.clock, { latencyMs: options.latencyMs ?? 2 });
    this.centre = new CheckInResponder({ clock: this.clock, random: new SeededRandom(99) });
    this.centre.attach(this.net.bind(CENTRE.host, CENTRE.port));
    this.centre.addDevice(DEPOT_ID, this.key);
    this.cabinet = new DepotCabinet(options.compartments ?? 4);
    this.layout = options.small ? SMALL_DEPOT_LAYOUT : DEFAULT_DEPOT_LAYOUT;
    this.card = new MemoryFlash({ size: options.small ? SMALL_DEPOT_FLASH_SIZE : DEPOT_FLASH_SIZE, blockSize: options.small ? SMALL_DEPOT_BLOCK : DEPOT_BLOCK_SIZE });
  }

  /** Power up a new firmware instance over the card (or `flash`, e.g. a PowerCutFlash over it). */
  boot(flash: FlashDevice = this.card): KeyDepot {
    this.boots++;
    this.depot?.powerOff();
    const port = this.net.bind();
    this.depot = KeyDepot.boot({
      id: DEPOT_ID,
      key: this.key,
      centre: CENTRE,
      port,
      clock: this.clock,
      // A new seed per boot: a real depot's nonces come from a hardware RNG, never the same run twice.
      random: new SeededRandom(1000 + this.boots),
      flash,
      hardware: this.cabinet,
      layout: this.layout,
      onReport: (r) => this.reports.push({ ...r, at: this.clock.now(), boot: this.boots }),
    });
    this.cabinet.attach(this.depot);
    return this.depot;
  }

  /** Type digits and `#` on the keypad. */
  pin(digits: string): void {
    for (const d of digits) this.depot.press(d as KeypadKey);
    this.depot.press('#');
  }

  run(ms: number): void {
    this.clock.advance(ms);
  }

  /** Events the centre has stored, as `type` or `type:compartment:holder`. */
  centreEvents(): string[] {
    return this.centre.device(DEPOT_ID).events.map((e) => [e.type, e.compartment, e.holder].filter((x) => x !== undefined).join(':'));
  }
}
