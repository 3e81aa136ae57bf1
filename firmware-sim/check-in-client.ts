/**
 * The device side of the check-in telegram (spec §5.2, docs/check-in-
 * telegram.md §6), shared by the key depot and the PBX's LAN option: check
 * in every interval with the queued events, a new counter for every
 * datagram, accept only the answer to the counter still waiting, hand the
 * acknowledged seqs back to the event source and the commands to the
 * device, resync the clock from a nak, catch up at once after an outage.
 *
 * Pure: clock, datagram port, random bytes, counter, clock offset and
 * events are injected. Faults of the device's own callbacks (a flash that
 * lost power while an ack was being written) stop the client and are
 * reported; they never escape into the caller's timer or socket.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { CommandEnvelope, DeviceEvent, JsonObject, NakReason } from '../core/check-in-body.js';
import { encodeTelegram, maxBodyBytes, openTelegram } from '../core/check-in-telegram.js';
import type { DatagramAddress, DatagramPort } from '../core/datagram-port.js';
import type { RandomSource } from '../core/random-source.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';

/** docs/check-in-telegram.md §6: ours wait 5 s for an answer. */
export const REPLY_TIMEOUT_MS = 5000;
/** Seed 002: "Im Normalbetrieb meldet sich jedes Schlüsseldepot einmal pro Minute am Webserver an." */
export const DEFAULT_CHECK_IN_INTERVAL_MS = 60_000;
/** Naks in a row answered by an immediate resend; after that the device waits for its interval. */
export const MAX_IMMEDIATE_RESENDS = 3;

/**
 * ```
 *   Off ──start──▶ Waiting ──interval / catch-up──▶ Sending ──ack, nothing new queued──▶ Waiting
 *                     ▲                               │  ▲ ack with new events queued, nak (≤ 3 in a row):
 *                     │                               │  └─ send again under a new counter
 *                     └──────timeout / 4th nak────────┘
 *   Waiting/Sending ──counter used up──▶ Exhausted;   any ──stop / fault──▶ Off
 * ```
 */
export enum CheckInState {
  Off = 'off',
  Waiting = 'waiting',
  Sending = 'sending',
  Exhausted = 'exhausted',
}

const TRANSITIONS: TransitionTable<CheckInState> = {
  [CheckInState.Off]: [CheckInState.Waiting],
  [CheckInState.Waiting]: [CheckInState.Sending, CheckInState.Off, CheckInState.Exhausted],
  [CheckInState.Sending]: [CheckInState.Sending, CheckInState.Waiting, CheckInState.Off, CheckInState.Exhausted],
  [CheckInState.Exhausted]: [CheckInState.Off],
};

/** Running: an interval timer or a telegram in flight. */
const RUNNING: readonly CheckInState[] = [CheckInState.Waiting, CheckInState.Sending];
/** Not running: nothing is sent until start. */
const HALTED: readonly CheckInState[] = [CheckInState.Off, CheckInState.Exhausted];

export type SendReason = 'start' | 'interval' | 'catch-up' | 'clock-skew' | 'replay' | 'now';

export type CheckInReport =
  | { type: 'sent'; counter: number; seqs: number[]; reason: SendReason; bytes: number }
  | { type: 'ack'; counter: number; accepted: number[]; commands: number; latencyMs: number }
  | { type: 'nak'; counter: number; reason: NakReason; serverTime: number; latencyMs: number }
  | { type: 'timeout'; counter: number }
  | { type: 'ignored'; why: string }
  | { type: 'exhausted' }
  | { type: 'fault'; error: Error };

export interface CheckInEventSource {
  /** Unacknowledged events, oldest first. */
  pending(): DeviceEvent[];
  /** The centre stored these (a subset of what was sent); durable when this returns. */
  acknowledge(seqs: number[]): void;
}

/** The device's clock as telegrams carry it. */
export interface DeviceRtc {
  nowS(): number;
  /** A nak said the device clock is off: set it to the centre's. */
  resync(serverTimeS: number): void;
}

export interface CheckInClientOptions {
  deviceId: string;
  key: Uint8Array;
  centre: DatagramAddress;
  /** Where check-ins leave; answers come in through `receive()`. */
  port: Pick<DatagramPort, 'send'>;
  clock: Clock;
  random: RandomSource;
  /** `next()` undefined: the key's counters are used up. */
  counter: { next(): number | undefined };
  rtc: DeviceRtc;
  events: CheckInEventSource;
  status: () => JsonObject;
  intervalMs: () => number;
  onCommands: (commands: CommandEnvelope[]) => void;
  replyTimeoutMs?: number;
  onReport?: (report: CheckInReport) => void;
}

interface Outstanding {
  counter: number;
  sentAt: number;
  seqs: Set<number>;
}

export class CheckInClient {
  readonly #o: CheckInClientOptions;
  readonly #machine: StateMachine<CheckInState>;
  #tick: TimerHandle | undefined;
  #timeout: TimerHandle | undefined;
  #outstanding: Outstanding | undefined;
  #naksInRow = 0;
  #online = false;
  /** Bumped by stop(): a late timer of an earlier run does nothing. */
  #run = 0;

  constructor(options: CheckInClientOptions) {
    this.#o = options;
    this.#machine = new StateMachine(`check-in ${options.deviceId}`, TRANSITIONS, CheckInState.Off);
  }

  /**
   * A datagram arrived on the device's port. The owner of the port wires it
   * (`port.onMessage((d) => client.receive(d))`), so a device can replace
   * its client (new key, new centre) without stacking listeners.
   */
  receive(data: Uint8Array): void {
    this.#guard(() => this.#onDatagram(data));
  }

  get state(): CheckInState {
    return this.#machine.state;
  }

  /** The last check-in got an answer (ack or nak) from the centre. */
  get online(): boolean {
    return this.#online;
  }

  /** Check in at once, then every interval. */
  start(): void {
    if (!this.#machine.is(CheckInState.Off)) return;
    this.#machine.transition(CheckInState.Waiting);
    this.#arm();
    this.#guard(() => this.#send('start'));
  }

  /** Power cut or shutdown: timers go, answers are ignored from now on. */
  stop(): void {
    this.#run++;
    this.#tick?.cancel();
    this.#timeout?.cancel();
    this.#tick = this.#timeout = undefined;
    this.#outstanding = undefined;
    if (!this.#machine.is(CheckInState.Off)) this.#machine.transition(CheckInState.Off);
  }

  /** The interval changed: count it from now. */
  rearm(): void {
    if (this.#machine.isOneOf(RUNNING)) this.#arm();
  }

  /** Check in now if nothing is waiting for an answer (a device's test button, an urgent event). */
  checkInNow(): void {
    if (this.#machine.is(CheckInState.Waiting)) this.#guard(() => this.#send('now'));
  }

  #arm(): void {
    this.#tick?.cancel();
    const run = this.#run;
    this.#tick = this.#o.clock.setTimer(this.#o.intervalMs(), () => {
      if (run !== this.#run) return;
      this.#arm();
      if (this.#machine.is(CheckInState.Waiting)) this.#guard(() => this.#send('interval'));
    });
  }

  #send(reason: SendReason): void {
    const counter = this.#o.counter.next();
    if (counter === undefined) {
      this.#tick?.cancel();
      this.#machine.transition(CheckInState.Exhausted);
      this.#report({ type: 'exhausted' });
      return;
    }
    const { deviceId, key } = this.#o;
    const events = this.#pack(this.#o.status(), this.#o.events.pending());
    const bytes = encodeTelegram({ type: 'check-in', deviceId, counter, time: clampU32(this.#o.rtc.nowS()), body: events.body }, key, this.#o.random.bytes(12));
    this.#machine.transition(CheckInState.Sending);
    this.#outstanding = { counter, sentAt: this.#o.clock.now(), seqs: new Set(events.seqs) };
    const run = this.#run;
    this.#timeout?.cancel();
    // Timer and state first: an in-process port may answer inside send().
    this.#timeout = this.#o.clock.setTimer(this.#o.replyTimeoutMs ?? REPLY_TIMEOUT_MS, () => {
      if (run !== this.#run || this.#outstanding?.counter !== counter) return;
      this.#outstanding = undefined;
      this.#online = false;
      this.#machine.transition(CheckInState.Waiting);
      this.#report({ type: 'timeout', counter });
    });
    this.#report({ type: 'sent', counter, seqs: events.seqs, reason, bytes: bytes.length });
    this.#o.port.send(bytes, this.#o.centre);
  }

  /** Status plus as many of the oldest events as fit one telegram. */
  #pack(status: JsonObject, pending: DeviceEvent[]): { body: { status?: JsonObject; events?: DeviceEvent[] }; seqs: number[] } {
    const budget = maxBodyBytes(this.#o.deviceId);
    const statusJson = JSON.stringify(status);
    // {"status":…,"events":[…]}
    let size = Buffer.byteLength(statusJson) + 24;
    const withStatus = size <= budget;
    if (!withStatus) size = 12;
    const events: DeviceEvent[] = [];
    for (const e of pending) {
      const n = Buffer.byteLength(JSON.stringify(e)) + (events.length ? 1 : 0);
      if (size + n > budget) break;
      size += n;
      events.push(e);
    }
    const body: { status?: JsonObject; events?: DeviceEvent[] } = {};
    if (withStatus) body.status = status;
    if (events.length) body.events = events;
    return { body, seqs: events.map((e) => e.seq) };
  }

  #onDatagram(data: Uint8Array): void {
    const out = this.#outstanding;
    if (!out) return this.#report({ type: 'ignored', why: 'nothing is waiting for an answer' });
    const r = openTelegram(data, this.#o.key);
    if (!r.ok) return this.#report({ type: 'ignored', why: r.reason });
    const t = r.telegram;
    if (t.type === 'check-in' || t.deviceId !== this.#o.deviceId || t.counter !== out.counter) {
      return this.#report({ type: 'ignored', why: `${t.type} for ${t.deviceId} counter ${t.counter} answers nothing waiting` });
    }
    this.#timeout?.cancel();
    this.#outstanding = undefined;
    this.#online = true;
    const latencyMs = this.#o.clock.now() - out.sentAt;
    if (t.type === 'nak') {
      this.#naksInRow++;
      this.#report({ type: 'nak', counter: t.counter, reason: t.body.reason, serverTime: t.body.serverTime, latencyMs });
      if (t.body.reason === 'clock-skew') this.#o.rtc.resync(t.body.serverTime);
      this.#machine.transition(CheckInState.Waiting);
      if (this.#naksInRow <= MAX_IMMEDIATE_RESENDS) this.#send(t.body.reason);
      return;
    }
    this.#naksInRow = 0;
    const accepted = t.body.accepted.filter((s) => out.seqs.has(s));
    this.#report({ type: 'ack', counter: t.counter, accepted, commands: t.body.commands.length, latencyMs });
    if (accepted.length) this.#o.events.acknowledge(accepted);
    if (t.body.commands.length) this.#o.onCommands(t.body.commands);
    this.#machine.transition(CheckInState.Waiting);
    // Catch up at once while events wait that this telegram did not carry.
    if (this.#o.events.pending().some((e) => !out.seqs.has(e.seq))) this.#send('catch-up');
  }

  #guard(fn: () => void): void {
    if (this.#machine.isOneOf(HALTED)) return;
    try {
      fn();
    } catch (err) {
      this.stop();
      this.#report({ type: 'fault', error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  #report(r: CheckInReport): void {
    this.#o.onReport?.(r);
  }
}

function clampU32(s: number): number {
  return Math.min(0xffff_ffff, Math.max(0, Math.floor(s)));
}
