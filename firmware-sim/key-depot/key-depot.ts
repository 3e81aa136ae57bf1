/**
 * The key depot's firmware (spec §5.1, seed 002; docs/key-depot.md):
 * compartments with a key each, a keypad and a 2 × 16 display, PINs per
 * depot user as the centre's salted hashes, an event queue in flash that
 * survives power cuts, and a check-in with the centre every interval over
 * encrypted UDP. Everything the centre wants (PINs, remote release, the
 * interval, a test) rides back in the ack to a check-in; offline, PINs are
 * checked locally and the queue grows until the centre answers again.
 *
 * Pure: clock, flash, datagram port, random bytes and hardware are
 * injected. A flash operation that fails (a power cut) halts the instance
 * at once; the device "reboots" as a new instance over the same flash.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { parseCommand, type CommandEnvelope, type DeviceEvent, type JsonObject, type JsonValue } from '../../core/check-in-body.js';
import { unixSeconds } from '../../core/check-in-verdict.js';
import { maxBodyBytes } from '../../core/check-in-telegram.js';
import type { DatagramAddress, DatagramPort } from '../../core/datagram-port.js';
import type { FlashDevice } from '../../core/flash-device.js';
import type { RandomSource } from '../../core/random-source.js';
import { CheckInClient, CheckInState, type CheckInReport } from '../check-in-client.js';
import { ReservedCounter } from '../reserved-counter.js';
import { decodeDepotConfig, defaultDepotConfig, encodeDepotConfig, REMEMBERED_RESULTS, type CommandResult, type DepotConfig } from './depot-config.js';
import type { DepotHardware } from './depot-hardware.js';
import { DepotKeypad, KeypadState, MAX_WRONG_PINS, type KeypadKey } from './depot-keypad.js';
import { FlashEventQueue, QueueFullError } from './event-queue.js';
import { PinTable, type DepotUser } from './pin-table.js';
import { FlashSnapshotStore, type FlashArea } from './snapshot-store.js';

/** A depot's flash: a small serial NOR part with 4 KiB sectors. */
export const DEPOT_BLOCK_SIZE = 4096;
export const DEPOT_FLASH_SIZE = 64 * DEPOT_BLOCK_SIZE;

export interface DepotFlashLayout {
  counter: FlashArea;
  config: FlashArea;
  queue: FlashArea;
}

/** Counter reservations (2 blocks), settings (2 × 4 blocks), the event queue (54 blocks ≈ 2,000 events). */
export const DEFAULT_DEPOT_LAYOUT: DepotFlashLayout = {
  counter: { offset: 0, size: 2 * DEPOT_BLOCK_SIZE },
  config: { offset: 2 * DEPOT_BLOCK_SIZE, size: 8 * DEPOT_BLOCK_SIZE },
  queue: { offset: 10 * DEPOT_BLOCK_SIZE, size: 54 * DEPOT_BLOCK_SIZE },
};

/** "HSDC", "HSDK": the counter and config stores. */
const COUNTER_MAGIC = 0x43445348;
const CONFIG_MAGIC = 0x4b445348;

/** How long a good PIN opens its compartments. */
export const UNLOCK_MS = 30_000;
/** How long a remote release keeps a compartment open. */
export const RELEASE_MS = 120_000;
/** The display: 2 lines of 16 characters. */
export const DISPLAY_WIDTH = 16;
/** `holder` of a key moved after a remote release, and of one moved while locked (forced). */
export const REMOTE_HOLDER = 'remote';
export const UNKNOWN_HOLDER = 'unknown';

export interface KeyDepotOptions {
  /** Device id, as registered at the centre. */
  id: string;
  key: Uint8Array;
  centre: DatagramAddress;
  port: DatagramPort;
  clock: Clock;
  random: RandomSource;
  flash: FlashDevice;
  hardware: DepotHardware;
  layout?: DepotFlashLayout;
  /** Check-in interval (s) until the centre sets one; default 60 (seed 002: once a minute). */
  defaultIntervalS?: number;
  /** Where a depot fresh from the factory (nothing in its counter store) starts its send counters; default 0. */
  firstCounter?: number;
  replyTimeoutMs?: number;
  onReport?: (r: CheckInReport) => void;
}

export type DepotLifecycle = 'running' | 'halted';

export class KeyDepot {
  readonly id: string;
  readonly #o: KeyDepotOptions;
  readonly #hw: DepotHardware;
  readonly #queue: FlashEventQueue;
  readonly #configStore: FlashSnapshotStore;
  readonly #config: DepotConfig;
  readonly #pins: PinTable;
  readonly #keypad: DepotKeypad;
  readonly #client: CheckInClient;
  /** Open compartments: who opened them, and the relock timer. */
  readonly #open = new Map<number, { holder: string; timer: TimerHandle }>();
  #lifecycle: DepotLifecycle = 'running';
  #haltReason: string | undefined;
  #dropped = 0;
  #lastOpenedBy: string | undefined;
  /** Set when the stored config did not read back (shown once in status). */
  readonly configLost: boolean;

  /** Power up: mount the flash stores, queue a startup event, check in. */
  static boot(options: KeyDepotOptions): KeyDepot {
    const depot = new KeyDepot(options);
    depot.#start();
    return depot;
  }

  private constructor(options: KeyDepotOptions) {
    this.#o = options;
    this.id = options.id;
    this.#hw = options.hardware;
    const layout = options.layout ?? DEFAULT_DEPOT_LAYOUT;
    const counterStore = FlashSnapshotStore.mount(options.flash, layout.counter, COUNTER_MAGIC);
    this.#configStore = FlashSnapshotStore.mount(options.flash, layout.config, CONFIG_MAGIC);
    this.#queue = FlashEventQueue.mount(options.flash, layout.queue);
    const stored = this.#configStore.latest();
    const config = stored ? decodeDepotConfig(stored) : undefined;
    this.configLost = stored !== undefined && config === undefined;
    this.#config = config ?? { ...defaultDepotConfig(), ...(options.defaultIntervalS ? { intervalS: options.defaultIntervalS } : {}) };
    this.#pins = new PinTable(this.#config.users);
    const reserved = counterStore.latest();
    const counter = new ReservedCounter(reserved?.length === 8 ? new DataView(reserved.buffer, reserved.byteOffset, 8).getFloat64(0, true) : options.firstCounter ?? 0, (upTo) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, upTo, true);
      counterStore.write(b);
    });
    this.#keypad = new DepotKeypad({
      clock: options.clock,
      check: (pin) => this.#pins.check(pin),
      onOpen: (user) => this.#guard(() => this.#opened(user)),
      onWrong: (attempts) => this.#guard(() => this.#record('wrong-pin', { attempts })),
    });
    this.#client = new CheckInClient({
      deviceId: options.id,
      key: options.key,
      centre: options.centre,
      port: options.port,
      clock: options.clock,
      random: options.random,
      counter,
      rtc: { nowS: () => this.#nowS(), resync: (s) => this.#resync(s) },
      events: { pending: () => this.#queue.pending(), acknowledge: (seqs) => this.#acknowledged(seqs) },
      status: () => this.status(),
      intervalMs: () => this.#config.intervalS * 1000,
      onCommands: (commands) => this.#commands(commands),
      replyTimeoutMs: options.replyTimeoutMs,
      onReport: (r) => {
        if (r.type === 'fault') this.#halt(r.error);
        options.onReport?.(r);
      },
    });
    options.port.onMessage((data) => this.#client.receive(data));
  }

  #start(): void {
    this.#guard(() => {
      for (let c = 1; c <= this.#hw.compartments; c++) this.#hw.setLock(c, false);
      this.#record('startup', { reason: 'power-on' });
      if (this.configLost) this.#record('settings-lost', {});
      this.#client.start();
    });
  }

  get lifecycle(): DepotLifecycle {
    return this.#lifecycle;
  }

  get haltReason(): string | undefined {
    return this.#haltReason;
  }

  get checkInState(): CheckInState {
    return this.#client.state;
  }

  get online(): boolean {
    return this.#client.online;
  }

  get intervalS(): number {
    return this.#config.intervalS;
  }

  get users(): readonly DepotUser[] {
    return this.#pins.users;
  }

  /** Events waiting for an ack, oldest first. */
  pendingEvents(): DeviceEvent[] {
    return this.#queue.pending();
  }

  /** Compartments open now. */
  openCompartments(): number[] {
    return [...this.#open.keys()].sort((a, b) => a - b);
  }

  /** What the depot reports as `status` in every check-in. */
  status(): JsonObject {
    const keys: number[] = [];
    for (let c = 1; c <= this.#hw.compartments; c++) if (this.#hw.keyPresent(c)) keys.push(c);
    return { kind: 'key-depot', door: this.#hw.doorOpen() ? 'open' : 'closed', keys, queue: this.#queue.size, mains: this.#hw.mainsPresent(), interval: this.#config.intervalS };
  }

  /** A key of the keypad. */
  press(key: KeypadKey): void {
    if (this.#lifecycle === 'running') this.#keypad.press(key);
  }

  // Sensor inputs (DepotCabinet calls these, as the depot's I/O would).

  sensorKey(compartment: number, present: boolean): void {
    this.#guard(() => {
      const holder = this.#open.get(compartment)?.holder ?? UNKNOWN_HOLDER;
      this.#record(present ? 'key-returned' : 'key-taken', { compartment, holder });
    });
  }

  sensorDoor(open: boolean): void {
    this.#guard(() => this.#record(open ? 'door-open' : 'door-close', {}));
  }

  sensorTamper(): void {
    this.#guard(() => this.#record('tamper', {}));
  }

  sensorMains(present: boolean): void {
    this.#guard(() => this.#record(present ? 'power-return' : 'power-loss', {}));
  }

  /** Power cut: stop everything at once (what was durable stays in flash). */
  powerOff(): void {
    this.#halt(new Error('power off'));
  }

  /** The 2 × 16 display. */
  display(): [string, string] {
    const fit = (s: string): string => s.slice(0, DISPLAY_WIDTH).padEnd(DISPLAY_WIDTH);
    if (this.#lifecycle === 'halted') return this.#haltReason === 'power off' ? [fit(''), fit('')] : [fit('FLASH FAULT'), fit('service needed')];
    if (this.#client.state === CheckInState.Exhausted) return [fit(this.id), fit('NEW KEY NEEDED')];
    switch (this.#keypad.state) {
      case KeypadState.Blocked: {
        const s = Math.ceil(this.#keypad.blockedForMs() / 1000);
        return [fit('Keypad blocked'), fit(`wait ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`)];
      }
      case KeypadState.Entering:
        return [fit(`PIN ${'*'.repeat(this.#keypad.entered)}`), fit('#=OK *=back')];
      case KeypadState.Wrong:
        return [fit('Wrong PIN'), fit(`${this.#keypad.wrongInRow} of ${MAX_WRONG_PINS}`)];
      case KeypadState.Idle:
        break;
    }
    const open = this.openCompartments();
    if (open.length) return [fit(`Open ${open.join(',')}`), fit(this.#lastOpenedBy ?? '')];
    const d = new Date(this.#nowS() * 1000);
    const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const queued = this.#queue.size ? ` ${this.#queue.size}` : '';
    return [fit(this.id), fit(`${hhmm} ${this.#client.online ? 'online' : 'offline'}${queued}`)];
  }

  #nowS(): number {
    return unixSeconds(this.#o.clock.now() + this.#config.clockOffsetMs);
  }

  #resync(serverTimeS: number): void {
    // The middle of the server's second, so the error is at most half a second either way.
    this.#config.clockOffsetMs = serverTimeS * 1000 + 500 - this.#o.clock.now();
    this.#saveConfig();
  }

  #saveConfig(): void {
    this.#config.users = [...this.#pins.users];
    this.#configStore.write(encodeDepotConfig(this.#config));
  }

  /** Queue an event; a full queue drops it and reports the count once there is room. */
  #record(type: string, fields: Record<string, JsonValue>): void {
    const event = { ...fields, type, time: this.#nowS() };
    this.#checkSize(event);
    try {
      this.#queue.append(event);
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.#dropped++;
    }
  }

  /** Every event must fit one telegram with room to spare, or the queue would stick on it. */
  #checkSize(event: Record<string, JsonValue>): void {
    const bytes = Buffer.byteLength(JSON.stringify({ ...event, seq: 0xffff_ffff }));
    if (bytes > Math.min(this.#queue.maxEventBytes, maxBodyBytes(this.id) / 2)) throw new RangeError(`event ${String(event.type)} of ${bytes} bytes is too large for a telegram`);
  }

  #acknowledged(seqs: number[]): void {
    this.#queue.acknowledge(seqs);
    if (this.#dropped > 0) {
      const lost = this.#dropped;
      this.#dropped = 0;
      this.#record('queue-overflow', { lost });
    }
  }

  #opened(user: DepotUser): void {
    const opens = PinTable.opens(user, this.#hw.compartments);
    this.#lastOpenedBy = user.name;
    for (const c of opens) this.#unlock(c, user.name, UNLOCK_MS);
  }

  #unlock(c: number, holder: string, ms: number): void {
    this.#open.get(c)?.timer.cancel();
    this.#hw.setLock(c, true);
    const timer = this.#o.clock.setTimer(ms, () => {
      this.#open.delete(c);
      this.#hw.setLock(c, false);
    });
    this.#open.set(c, { holder, timer });
  }

  /** Commands of an ack, in id order, each at most once (docs/check-in-telegram.md §3.3). */
  #commands(commands: CommandEnvelope[]): void {
    for (const c of [...commands].sort((a, b) => a.id - b.id)) {
      if (c.id <= this.#config.lastCommand) {
        this.#reportAgain(c.id);
        continue;
      }
      const parsed = parseCommand(c);
      let result: CommandResult = 'done';
      let detail = '';
      if (!parsed.ok) {
        result = 'unsupported' in parsed ? 'unsupported' : 'refused';
        detail = parsed.error;
      } else {
        const cmd = parsed.value;
        switch (cmd.type) {
          case 'pin-add': {
            const bad = cmd.compartments?.find((n) => n > this.#hw.compartments);
            const set = bad ? { ok: false as const, error: `no compartment ${bad}` } : this.#pins.set({ name: cmd.user, hash: cmd.hash, compartments: cmd.compartments });
            if (!set.ok) [result, detail] = ['refused', set.error];
            break;
          }
          case 'pin-remove':
            if (!this.#pins.remove(cmd.user)) detail = `no user ${cmd.user}`;
            break;
          case 'release':
            if (cmd.compartment > this.#hw.compartments) [result, detail] = ['refused', `no compartment ${cmd.compartment}`];
            else this.#unlock(cmd.compartment, REMOTE_HOLDER, RELEASE_MS);
            break;
          case 'interval':
            this.#config.intervalS = cmd.seconds;
            this.#client.rearm();
            break;
          case 'test':
            detail = this.#selfTest();
            break;
        }
      }
      // Settings and what was run are durable before the centre hears of it: a cut in between makes
      // the centre ask again, and the stored outcome is reported then; the command never runs twice.
      this.#config.lastCommand = c.id;
      this.#config.results = [...this.#config.results, { id: c.id, result, detail }].slice(-REMEMBERED_RESULTS);
      this.#saveConfig();
      if (parsed.ok && parsed.value.type === 'test') this.#record('test', { result: detail, command: c.id });
      this.#record('command', { command: c.id, result, detail });
    }
  }

  /** The centre asks about a command already run: report its outcome again unless the report is still queued. */
  #reportAgain(id: number): void {
    if (this.#queue.pending().some((e) => e.type === 'command' && e.command === id)) return;
    const known = this.#config.results.find((r) => r.id === id);
    this.#record('command', { command: id, result: known?.result ?? 'done', detail: known ? known.detail : 'already run' });
  }

  /** Read back the settings and exercise every lock; 'ok' or what failed. */
  #selfTest(): string {
    const stored = this.#configStore.latest();
    if (!stored || !decodeDepotConfig(stored)) return 'settings do not read back';
    for (let c = 1; c <= this.#hw.compartments; c++) if (!this.#open.has(c)) this.#hw.setLock(c, false);
    return 'ok';
  }

  #guard(fn: () => void): void {
    if (this.#lifecycle !== 'running') return;
    try {
      fn();
    } catch (err) {
      this.#halt(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #halt(err: Error): void {
    if (this.#lifecycle === 'halted') return;
    this.#lifecycle = 'halted';
    this.#haltReason = err.message;
    this.#client.stop();
    this.#keypad.stop();
    for (const [c, o] of this.#open) {
      o.timer.cancel();
      this.#hw.setLock(c, false);
    }
    this.#open.clear();
  }
}
