/**
 * A small centre that speaks docs/check-in-telegram.md §5, built on the
 * codec: replay window and clock-skew rule per device, events stored once
 * by seq, acks listing what is stored, commands repeated until the device
 * reports them, silence (and a counter) for every reject. It holds
 * everything in memory and "commits" at once.
 *
 * Tests of the devices use it in place of the centre's intake, the fleet
 * tests and benchmarks use it as the target over real UDP, and the intake
 * can be checked against it later (same input, same answers).
 */
import type { Clock } from '../../core/clock.js';
import type { CommandEnvelope, DeviceEvent, JsonObject, JsonValue } from '../../core/check-in-body.js';
import { unixSeconds, judgeCheckIn, type CheckInVerdict } from '../../core/check-in-verdict.js';
import { decodeTelegram, encodeTelegram, type Telegram, type RejectReason } from '../../core/check-in-telegram.js';
import type { DatagramAddress, DatagramPort } from '../../core/datagram-port.js';
import type { RandomSource } from '../../core/random-source.js';
import { EMPTY_REPLAY_WINDOW, type ReplayWindow } from '../../core/replay-window.js';

export interface ResponderDevice {
  key: Uint8Array;
  window: ReplayWindow;
  /** Events in the order they were first stored. */
  events: DeviceEvent[];
  seqs: Set<number>;
  /** Commands sent in every ack until a `command` event reports them. */
  pending: CommandEnvelope[];
  nextCommandId: number;
  lastStatus: JsonObject | undefined;
  /** How often a seq arrived that was already stored (a resend after a lost ack). */
  resent: number;
  checkIns: number;
  /** Accepted check-ins by the device's counter, for latency and ordering checks. */
  counters: number[];
}

export interface ResponderStats {
  checkIns: number;
  acks: number;
  naks: Record<'replay' | 'clock-skew', number>;
  /** `${reason} ${deviceId or -}` → count */
  rejects: Map<string, number>;
  /** Check-ins answered with silence while `answering` was false. */
  unanswered: number;
}

export interface CheckInResponderOptions {
  clock: Clock;
  random: RandomSource;
  /** Shift of the centre's clock against `clock` (tests of device resync). */
  clockOffsetMs?: number;
}

export type ResponderListener = (e: { deviceId: string; verdict: CheckInVerdict; telegram: Telegram; newEvents: DeviceEvent[] }) => void;

export class CheckInResponder {
  readonly devices = new Map<string, ResponderDevice>();
  readonly stats: ResponderStats = { checkIns: 0, acks: 0, naks: { replay: 0, 'clock-skew': 0 }, rejects: new Map(), unanswered: 0 };
  /** False: the centre is "down" — telegrams are read but never answered (and nothing is stored). */
  answering = true;
  clockOffsetMs: number;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #listeners: ResponderListener[] = [];
  readonly #ports: DatagramPort[] = [];

  constructor(options: CheckInResponderOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
  }

  addDevice(id: string, key: Uint8Array): ResponderDevice {
    const d: ResponderDevice = { key, window: EMPTY_REPLAY_WINDOW, events: [], seqs: new Set(), pending: [], nextCommandId: 1, lastStatus: undefined, resent: 0, checkIns: 0, counters: [] };
    this.devices.set(id, d);
    return d;
  }

  device(id: string): ResponderDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`responder: no device ${id}`);
    return d;
  }

  /** Queue a command for the device's next acks; returns its id. */
  queueCommand(id: string, command: { type: string; [k: string]: JsonValue }): number {
    const d = this.device(id);
    const envelope = { ...command, id: d.nextCommandId++ } as CommandEnvelope;
    d.pending.push(envelope);
    return envelope.id;
  }

  onCheckIn(listener: ResponderListener): void {
    this.#listeners.push(listener);
  }

  nowS(): number {
    return unixSeconds(this.#clock.now() + this.clockOffsetMs);
  }

  /** Answer one datagram: the reply's bytes, or undefined for silence. */
  handle(datagram: Uint8Array): Uint8Array | undefined {
    const r = decodeTelegram(datagram, (id) => this.devices.get(id)?.key);
    if (!r.ok) return this.#reject(r.reason, 'deviceId' in r ? r.deviceId : undefined);
    const t = r.telegram;
    if (t.type !== 'check-in') return this.#reject('bad-type', t.deviceId);
    this.stats.checkIns++;
    if (!this.answering) {
      this.stats.unanswered++;
      return undefined;
    }
    const d = this.device(t.deviceId);
    d.checkIns++;
    const nowS = this.nowS();
    const { verdict, window } = judgeCheckIn(d.window, t.counter, t.time, nowS);
    d.window = window;
    const base = { deviceId: t.deviceId, counter: t.counter, time: nowS };
    if (verdict !== 'accept') {
      this.stats.naks[verdict]++;
      for (const l of this.#listeners) l({ deviceId: t.deviceId, verdict, telegram: t, newEvents: [] });
      return encodeTelegram({ ...base, type: 'nak', body: { counter: t.counter, reason: verdict, serverTime: nowS } }, d.key, this.#random.bytes(12));
    }
    d.counters.push(t.counter);
    if (t.body.status) d.lastStatus = t.body.status;
    const accepted: number[] = [];
    const newEvents: DeviceEvent[] = [];
    for (const e of t.body.events ?? []) {
      accepted.push(e.seq);
      if (d.seqs.has(e.seq)) {
        d.resent++;
        continue;
      }
      d.seqs.add(e.seq);
      d.events.push(e);
      newEvents.push(e);
      if (e.type === 'command' && typeof e.command === 'number') d.pending = d.pending.filter((c) => c.id !== e.command);
    }
    this.stats.acks++;
    for (const l of this.#listeners) l({ deviceId: t.deviceId, verdict, telegram: t, newEvents });
    return encodeTelegram({ ...base, type: 'ack', body: { counter: t.counter, serverTime: nowS, accepted, commands: d.pending } }, d.key, this.#random.bytes(12));
  }

  /** Serve on a datagram port: every reply goes back to where the check-in came from. */
  attach(port: DatagramPort): void {
    this.#ports.push(port);
    port.onMessage((data: Uint8Array, from: DatagramAddress) => {
      const reply = this.handle(data);
      if (reply) port.send(reply, from);
    });
  }

  close(): void {
    for (const p of this.#ports) p.close();
  }

  #reject(reason: RejectReason, deviceId: string | undefined): undefined {
    const k = `${reason} ${deviceId ?? '-'}`;
    this.stats.rejects.set(k, (this.stats.rejects.get(k) ?? 0) + 1);
    return undefined;
  }
}
