import type { Clock, TimerHandle } from '../../core/clock.js';
import type { DatagramAddress, DatagramPort } from '../../core/datagram-port.js';
import type { DeviceKind } from '../../core/device-kind.js';
import type { RandomSource } from '../../core/random-source.js';
import { REPLY_TIMEOUT_MS, DEFAULT_CHECK_IN_INTERVAL_MS, type CheckInReport } from '../../firmware-sim/check-in-client.js';
import { Circle } from '../../firmware-sim/circles.js';
import { DepotCabinet } from '../../firmware-sim/key-depot/depot-cabinet.js';
import { KeyDepot, type DepotFlashLayout } from '../../firmware-sim/key-depot/key-depot.js';
import { LanCheckIn } from '../../firmware-sim/lan-check-in.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { DatagramMux } from '../adapters/datagram-mux.js';
import type { DeviceKey } from '../storage/device-keys-file.js';
import { FleetStats } from './fleet-stats.js';

/**
 * A fleet depot's flash: 18 blocks of 256 bytes (4.5 KiB) instead of a real
 * depot's 256 KiB, so 100,000 of them fit in memory; the queue holds about
 * fifteen events, plenty for a depot that the centre answers.
 */
const FLEET_BLOCK = 256;
export const FLEET_DEPOT_LAYOUT: DepotFlashLayout = {
  counter: { offset: 0, size: 2 * FLEET_BLOCK },
  config: { offset: 2 * FLEET_BLOCK, size: 8 * FLEET_BLOCK },
  queue: { offset: 10 * FLEET_BLOCK, size: 8 * FLEET_BLOCK },
};
const FLEET_FLASH_SIZE = 18 * FLEET_BLOCK;
/** scrypt cost of the fleet PBXs' delivered user tables: nobody logs in to them, and 100,000 must start in seconds. */
const FLEET_HASH_COST = 16;
const FLEET_COMPARTMENTS = 4;
/**
 * A fleet device has no flash that outlives the run, yet a centre remembers
 * its counters: each run starts them at 16 × the seconds since 2024-01-01,
 * so runs one after another never reuse a counter while a device sends
 * fewer than 16 check-ins a second on average (speed ≤ 960 at one a
 * minute). Room in a u32 until 2032.
 */
const COUNTER_EPOCH_MS = Date.UTC(2024, 0, 1);
const COUNTERS_PER_SECOND = 16;

export function fleetFirstCounter(nowMs: number): number {
  return Math.min(0xffff_0000, Math.max(0, Math.floor((nowMs - COUNTER_EPOCH_MS) / 1000) * COUNTERS_PER_SECOND));
}

export interface FleetOptions {
  /** The devices and their keys (a keys file, or generated ones). */
  devices: DeviceKey[];
  centre: DatagramAddress;
  /** The shared sockets the devices send through (the mux spreads devices over them). */
  sockets: DatagramPort[];
  /** Timers X times faster than real time (src/adapters/scaled-clock.ts), or a virtual clock. */
  clock: Clock;
  /** How much faster than real time the clock's timers run (scales the reply timeout back to 5 real seconds). */
  speed: number;
  random: RandomSource;
  /** Events per device per hour of device time: door openings (depots), class-B errors (PBXs). */
  activityPerHour: number;
  /** Uniform [0, 1) for activity and start times (seeded for repeatable runs). */
  uniform: () => number;
}

/** A device built before the run (the costly part: a PBX's KDS and user table), started later. */
interface FleetDevice {
  id: string;
  kind: DeviceKind;
  start(): void;
  stop(): void;
}

/**
 * `hicom-sim fleet` (docs/fleet.md): N devices — key depots and PBXs with
 * the LAN option, each running the real firmware — checking in with a
 * centre over real UDP. Devices start spread over one interval so the load
 * is even; each produces events at random (door, class-B error) so
 * check-ins carry events as well as heartbeats.
 */
export class Fleet {
  readonly stats = new FleetStats();
  readonly #o: FleetOptions;
  readonly #devices: FleetDevice[] = [];
  readonly #timers = new Set<TimerHandle>();
  readonly #muxes: DatagramMux[];
  #running = false;

  constructor(options: FleetOptions) {
    if (options.sockets.length === 0) throw new Error('the fleet needs at least one socket');
    this.#o = options;
    this.#muxes = options.sockets.map((s) => new DatagramMux(s));
  }

  get depots(): number {
    return this.#o.devices.filter((d) => d.kind === 'key-depot').length;
  }

  get pbxs(): number {
    return this.#o.devices.length - this.depots;
  }

  /** Answers that named no device of the fleet. */
  get strays(): number {
    return this.#muxes.reduce((n, m) => n + m.strays, 0);
  }

  /** Build every device now, so that building does not stall the run's answers. */
  build(): void {
    this.#o.devices.forEach((d, i) => {
      const port = this.#muxes[i % this.#muxes.length].port(d.id);
      this.#devices.push(d.kind === 'key-depot' ? this.#depot(d, port) : this.#pbx(d, port));
    });
  }

  /** Power every device up at a random moment of its first interval. */
  start(): void {
    if (this.#devices.length === 0) this.build();
    this.#running = true;
    for (const d of this.#devices) {
      const t = this.#o.clock.setTimer(this.#o.uniform() * DEFAULT_CHECK_IN_INTERVAL_MS, () => {
        this.#timers.delete(t);
        if (this.#running) d.start();
      });
      this.#timers.add(t);
    }
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    for (const d of this.#devices) d.stop();
  }

  #report = (r: CheckInReport): void => this.stats.record(r);

  #depot(d: DeviceKey, port: DatagramPort): FleetDevice {
    const cabinet = new DepotCabinet(FLEET_COMPARTMENTS);
    const flash = new MemoryFlash({ size: FLEET_FLASH_SIZE, blockSize: FLEET_BLOCK });
    let depot: KeyDepot | undefined;
    let stopActivity = (): void => undefined;
    const boot = (): void => {
      depot = KeyDepot.boot({
        id: d.id,
        key: d.key,
        centre: this.#o.centre,
        port,
        clock: this.#o.clock,
        random: this.#o.random,
        flash,
        hardware: cabinet,
        layout: FLEET_DEPOT_LAYOUT,
        replyTimeoutMs: REPLY_TIMEOUT_MS * this.#o.speed,
        firstCounter: fleetFirstCounter(this.#o.clock.now()),
        onReport: this.#report,
      });
      cabinet.attach(depot);
      stopActivity = this.#activity(() => cabinet.setDoor(!cabinet.doorOpen()));
    };
    return { id: d.id, kind: d.kind, start: boot, stop: () => { stopActivity(); depot?.powerOff(); port.close(); } };
  }

  #pbx(d: DeviceKey, port: DatagramPort): FleetDevice {
    const pbx = new Pbx({ clock: this.#o.clock, log: new MemoryProtocolLog({ available: false }), systemId: d.id, type: PbxType.OfficePoint, hashCost: FLEET_HASH_COST });
    pbx.start();
    const installer = { user: 'fleet', circle: Circle.SystemMaintenance, rights: pbx.rightsFor(Circle.SystemMaintenance), local: true };
    const { host, port: p } = this.#o.centre;
    for (const [path, value] of [['lan.centre', host.includes(':') ? `[${host}]:${p}` : `${host}:${p}`], ['lan.key', Buffer.from(d.key).toString('base64')], ['lan.enabled', 'yes']]) {
      const r = pbx.changeItem(installer, path, value);
      if (!r.ok) throw new Error(`fleet PBX ${d.id}: ${path}: ${r.error}`);
    }
    pbx.saveCheckIn({ ...pbx.checkIn, reservedUpTo: fleetFirstCounter(this.#o.clock.now()) });
    const lan = new LanCheckIn({ pbx, port, random: this.#o.random, replyTimeoutMs: REPLY_TIMEOUT_MS * this.#o.speed, onReport: this.#report });
    let stopActivity = (): void => undefined;
    const start = (): void => {
      lan.start();
      stopActivity = this.#activity(() => pbx.errors.add({ time: pbx.clock.now(), cls: 'B', code: 0x0100, location: 'fleet', text: 'load test error', pseudo: false }));
    };
    return { id: d.id, kind: d.kind, start, stop: () => { stopActivity(); lan.stop(); port.close(); } };
  }

  /** A Poisson process of `act` at the fleet's activity rate; returns its stop. */
  #activity(act: () => void): () => void {
    const rate = this.#o.activityPerHour / 3600_000;
    if (rate <= 0) return () => undefined;
    let timer: TimerHandle | undefined;
    const next = (): void => {
      timer = this.#o.clock.setTimer(-Math.log(1 - this.#o.uniform()) / rate, () => {
        if (!this.#running) return;
        act();
        next();
      });
    };
    next();
    return () => timer?.cancel();
  }
}
