import { NONCE_BYTES, encodeTelegram, namedDeviceId, openAfterHeader, readTelegramHeader, rejectClass, type TelegramHead } from '../../core/check-in-telegram.js';
import { unixSeconds } from '../../core/check-in-verdict.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { formatDatagramAddress, type DatagramAddress, type DatagramPort } from '../../core/datagram-port.js';
import type { RandomSource } from '../../core/random-source.js';
import type { ReplayWindow } from '../../core/replay-window.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { DeviceRegistry } from '../database/device-registry.js';
import type { EventBus } from '../database/event-bus.js';
import { GroupCommit } from '../database/group-commit.js';
import { clearActiveEvents } from '../database/event-log.js';
import { silentLogger, type Logger } from '../logger.js';
import { checkInCommit, groupCommitLane, type CheckInLane } from './check-in-lane.js';
import { REJECTED_EVENT, storeRejects, type CheckInOutcome, type CheckInTelegram } from './check-in-store.js';
import { EVENTS_TOPIC } from './supervision-store.js';

/** Rejects are counted in memory and written this often: a flood of garbage costs one transaction per period, not one per datagram. */
export const REJECT_FLUSH_MS = 250;
/** A device whose telegram failed the tag has its key read again (rekeyed in another process) at most this often. */
export const KEY_REFRESH_MS = 1_000;
/** Topic of the live-event bus when a device changed (other processes forget its cached key). */
export const DEVICE_TOPIC = 'device';
/** Registered-looking ids whose rejects came before this process cached their key, remembered (at most this many) so their next accepted check-in clears the "rejected telegrams" event. */
const MAX_UNCACHED_REJECTING = 1024;

/** The reasons rejects are counted under (spec §5.2 silences; naks are counted by the check-in's transaction). */
export type SilentReject = 'unknown-device' | 'bad-tag' | 'malformed';

export interface IntakeStats {
  received: number;
  acks: number;
  naks: { replay: number; 'clock-skew': number };
  rejects: Record<SilentReject, number>;
  /** Check-ins not answered because their commit failed (database down): the device keeps its events. */
  notCommitted: number;
}

interface KeyEntry {
  key: Uint8Array;
  fetchedAt: number;
  /** The window as this process last stored it: the guess its next compare-and-set starts from. */
  window: ReplayWindow | undefined;
  /** Rejects were counted for it since its last accepted check-in: that check-in clears the "rejected telegrams" event. */
  rejecting: boolean;
}

export interface CheckInIntakeOptions {
  db: CentreDatabase;
  registry: DeviceRegistry;
  /** Where check-ins arrive and answers leave (a real UDP socket, or the lab's in-process network). */
  port: DatagramPort;
  clock: Clock;
  /** Nonces of acks and naks: a CSPRNG in real runs. */
  random: RandomSource;
  /**
   * Where check-ins commit (default: one group commit of the intake's own
   * on `db`, `checkInCommit`). With several, each device always goes to
   * the same one (by a hash of its id), so transactions committing side by
   * side never touch the same rows and cannot deadlock each other
   * (PostgreSQL, where several in flight keep the pool busy). The SQLite
   * writer thread (`check-in-store-worker.ts`) is one too. Closed with the
   * intake.
   */
  lanes?: CheckInLane[];
  bus?: EventBus;
  logger?: Logger;
  /** Told after every answer or silence (tests, the lab's events). */
  onOutcome?: (o: IntakeOutcome) => void;
}

export type IntakeOutcome =
  | { type: 'ack'; deviceId: string; counter: number; accepted: number[]; commands: number[]; newEvents: number }
  | { type: 'nak'; deviceId: string; counter: number; reason: 'replay' | 'clock-skew' }
  | { type: 'reject'; deviceId: string; reason: SilentReject; detail: string }
  | { type: 'not-committed'; deviceId: string; counter: number; error: string };

/**
 * The centre's UDP intake (spec §5.2, docs/check-in-telegram.md §4–§5).
 * For each datagram: the clear header; the device's key (cached, read from
 * the registry on first sight, so a device added by another process checks
 * in at once); the tag and body; then one unit of work through group commit
 * (replay window, clock skew, the telegram, its events, presence, commands)
 * and only after its commit the ack — or the nak, for a replay or a clock
 * off by more than 120 s, with the centre's time. Unknown ids, bad tags and
 * malformed datagrams get no answer at all and are counted per device id
 * and reason. A datagram whose commit fails gets no answer: the device
 * keeps its events and sends them again.
 */
export class CheckInIntake {
  readonly stats: IntakeStats = { received: 0, acks: 0, naks: { replay: 0, 'clock-skew': 0 }, rejects: { 'unknown-device': 0, 'bad-tag': 0, malformed: 0 }, notCommitted: 0 };
  /** The reject counters are written through this one (on the intake's own connection). */
  readonly commit: GroupCommit;
  readonly #lanes: CheckInLane[];
  readonly #o: CheckInIntakeOptions;
  readonly #log: Logger;
  readonly #keys = new Map<string, KeyEntry>();
  readonly #lookups = new Map<string, Promise<KeyEntry | undefined>>();
  readonly #rejects = new Map<string, { deviceId: string; reason: SilentReject; count: number; at: number; source: string }>();
  #flushTimer: TimerHandle | undefined;
  /** Ids rejected before their key was cached here (see MAX_UNCACHED_REJECTING). */
  readonly #uncachedRejecting = new Set<string>();
  /** The last write of rejects begun (`flushRejects`). */
  #rejectsWritten: Promise<void> = Promise.resolve();
  #publishScheduled = false;
  #closed = false;
  readonly #unsubscribe: (() => void) | undefined;
  /** Work in flight (lookups, reject flushes, live events), so close() can wait for it. */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Check-ins handed to a lane and not yet settled (answered or not), and close()'s wake-up when they are. */
  #storing = 0;
  #storesDone: (() => void) | undefined;

  constructor(options: CheckInIntakeOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'intake' });
    this.commit = new GroupCommit(options.db, { logger: options.logger });
    this.#lanes = options.lanes?.length ? options.lanes : [groupCommitLane(checkInCommit(options.db, { logger: options.logger }))];
    options.port.onMessage((data, from) => this.#onDatagram(data, from));
    this.#unsubscribe = options.bus?.subscribe((m) => {
      if (m.topic === DEVICE_TOPIC && typeof m.id === 'string') this.#keys.delete(m.id);
      // Something changed that no message told (a lost PostgreSQL listener; on SQLite any commit of another
      // connection): keep the keys, but a key that fails the tag is read again at once. A removed device is
      // found out by its check-in's transaction (no window left), a rekeyed one by its tag.
      if (m.topic === 'resync') for (const e of this.#keys.values()) e.fetchedAt = Number.NEGATIVE_INFINITY;
    });
  }

  get description(): string {
    return this.#o.port.description;
  }

  /** Forget what this process knows of a device (it was changed here; other processes hear it on the bus). */
  forget(deviceId: string): void {
    this.#keys.delete(deviceId);
  }

  /**
   * Write the counted rejects now (tests, shutdown); resolves when they and
   * every write of rejects begun before (the timer's) are committed, so
   * what a caller reads afterwards holds all rejects counted so far.
   */
  async flushRejects(): Promise<void> {
    const earlier = this.#rejectsWritten;
    const mine = this.#writeRejects();
    this.#rejectsWritten = mine;
    await earlier;
    await mine;
  }

  async #writeRejects(): Promise<void> {
    this.#flushTimer?.cancel();
    this.#flushTimer = undefined;
    const batch = [...this.#rejects.values()];
    this.#rejects.clear();
    if (batch.length === 0) return;
    const db = this.#o.db;
    try {
      const raised = await this.#track(this.commit.submit(() => storeRejects(db.kysely, batch)));
      if (raised > 0) this.#published();
      // A device whose accepted check-in was answered while its rejects waited here has stopped being refused,
      // but the event these rejects just raised came after that check-in's clearing: clear it now (spec §5.2:
      // "rejected telegrams", not a device that checks in fine). The same commit queue, so after the raise.
      const recovered = [...new Set(batch.map((r) => r.deviceId))].filter((id) => this.#keys.get(id)?.rejecting === false);
      if (recovered.length > 0) {
        const at = this.#o.clock.now();
        await this.#track(this.commit.submit(function* () {
          for (const id of recovered) yield* clearActiveEvents(db.kysely, id, REJECTED_EVENT, at);
        }));
        this.#published();
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message, rejects: batch.length }, 'reject counters not stored');
    }
  }

  /** Resolves when every check-in handed to the database so far has committed (or failed), and the rejects are written. */
  async flush(): Promise<void> {
    for (const l of this.#lanes) await l.flush();
    await this.commit.flush();
  }

  /**
   * Stop taking datagrams; wait for what is in flight (each check-in
   * committed and answered), write the rejects counted so far, and only
   * then close the socket: an ack of a check-in that commits during
   * shutdown still reaches its device, which would otherwise send it again.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    // A lookup in flight may still hand a check-in to a lane, and a store's answer may count a reject: wait until both are quiet.
    while (this.#inFlight.size > 0 || this.#storing > 0) {
      if (this.#storing > 0) {
        await new Promise<void>((done) => {
          const earlier = this.#storesDone;
          this.#storesDone = () => (earlier?.(), done());
        });
      }
      await Promise.allSettled([...this.#inFlight]);
    }
    this.#o.port.close();
    await this.flushRejects();
    for (const l of this.#lanes) await l.close();
  }

  #onDatagram(data: Uint8Array, from: DatagramAddress): void {
    if (this.#closed) return;
    this.stats.received++;
    const source = formatDatagramAddress(from);
    const head = readTelegramHeader(data);
    if (!head.ok) return this.#reject(namedDeviceId(data), 'malformed', source, `${head.reason}: ${head.detail}`);
    const { header } = head;
    if (header.type !== 'check-in') return this.#reject(header.deviceId, 'malformed', source, `a ${header.type} is not for the centre`);
    const known = this.#keys.get(header.deviceId);
    if (known) return this.#open(data, head, known, from, source, false);
    const copy = Uint8Array.from(data);
    this.#track(this.#lookup(header.deviceId)).then(
      (entry) => {
        if (!entry) return this.#reject(header.deviceId, 'unknown-device', source, `no device ${header.deviceId} registered`);
        this.#open(copy, head, entry, from, source, true);
      },
      (err: Error) => this.#log.error({ err: err.message, deviceId: header.deviceId }, 'device key lookup failed; datagram dropped'),
    );
  }

  #lookup(id: string): Promise<KeyEntry | undefined> {
    let p = this.#lookups.get(id);
    if (!p) {
      p = this.#o.registry.key(id).then((key) => {
        this.#lookups.delete(id);
        if (!key) return undefined;
        const old = this.#keys.get(id);
        const entry: KeyEntry = { key, fetchedAt: this.#o.clock.now(), window: undefined, rejecting: old?.rejecting ?? this.#uncachedRejecting.delete(id) };
        this.#keys.set(id, entry);
        return entry;
      }, (err: unknown) => {
        this.#lookups.delete(id);
        throw err;
      });
      this.#lookups.set(id, p);
    }
    return p;
  }

  #open(data: Uint8Array, head: TelegramHead, entry: KeyEntry, from: DatagramAddress, source: string, fresh: boolean): void {
    const { header } = head;
    const r = openAfterHeader(data, head, entry.key);
    if (!r.ok) {
      // A key cached before a rekey by another process fails the tag: read it again (not more often than once a second).
      if (r.reason === 'bad-tag' && !fresh && this.#o.clock.now() - entry.fetchedAt >= KEY_REFRESH_MS) {
        this.#keys.delete(header.deviceId);
        const copy = Uint8Array.from(data);
        this.#track(this.#lookup(header.deviceId)).then(
          (again) => (again ? this.#open(copy, head, again, from, source, true) : this.#reject(header.deviceId, 'unknown-device', source, 'device removed')),
          (err: Error) => this.#log.error({ err: err.message }, 'device key lookup failed; datagram dropped'),
        );
        return;
      }
      return this.#reject(header.deviceId, rejectClass(r.reason) as SilentReject, source, `${r.reason}: ${r.detail}`);
    }
    const telegram = r.telegram as CheckInTelegram;
    const receivedAt = this.#o.clock.now();
    const endsRejects = entry.rejecting;
    // Counted, not put in #inFlight: a Set entry and one more promise reaction per check-in were measurable on the hot path (bench/intake-path.ts).
    this.#storing++;
    this.#laneOf(telegram.deviceId).store({ telegram, receivedAt, source, window: entry.window, endsRejects }).then(
      (outcome) => {
        this.#stored();
        this.#answer(telegram, outcome, entry, from);
      },
      (err: Error) => {
        this.#stored();
        // Not committed: no answer, so the device keeps its events and tries again.
        entry.window = undefined;
        this.stats.notCommitted++;
        this.#log.warn({ err: err.message, deviceId: telegram.deviceId, counter: telegram.counter }, 'check-in not committed; not answered');
        this.#o.onOutcome?.({ type: 'not-committed', deviceId: telegram.deviceId, counter: telegram.counter, error: err.message });
      },
    );
  }

  /** One store settled; the last one wakes close(). */
  #stored(): void {
    if (--this.#storing === 0 && this.#storesDone) {
      const done = this.#storesDone;
      this.#storesDone = undefined;
      done();
    }
  }

  #answer(t: CheckInTelegram, outcome: CheckInOutcome, entry: KeyEntry, to: DatagramAddress): void {
    if (outcome.verdict === 'unknown-device') {
      this.#keys.delete(t.deviceId);
      return this.#reject(t.deviceId, 'unknown-device', formatDatagramAddress(to), 'device removed');
    }
    entry.window = outcome.window;
    const nowS = unixSeconds(this.#o.clock.now());
    const { deviceId, counter } = t;
    const nonce = this.#o.random.bytes(NONCE_BYTES);
    if (outcome.verdict === 'accept') {
      entry.rejecting = false;
      this.stats.acks++;
      this.#o.port.send(encodeTelegram({ type: 'ack', deviceId, counter, time: nowS, body: { counter, serverTime: nowS, accepted: outcome.accepted, commands: outcome.commands } }, entry.key, nonce), to);
      if (outcome.newEvents > 0) this.#published();
      this.#o.onOutcome?.({ type: 'ack', deviceId: t.deviceId, counter: t.counter, accepted: outcome.accepted, commands: outcome.commands.map((c) => c.id), newEvents: outcome.newEvents });
      return;
    }
    this.stats.naks[outcome.verdict]++;
    this.#o.port.send(encodeTelegram({ type: 'nak', deviceId, counter, time: nowS, body: { counter, reason: outcome.verdict, serverTime: nowS } }, entry.key, nonce), to);
    this.#o.onOutcome?.({ type: 'nak', deviceId: t.deviceId, counter: t.counter, reason: outcome.verdict });
  }

  #reject(deviceId: string, reason: SilentReject, source: string, detail: string): void {
    this.stats.rejects[reason]++;
    if (deviceId !== '' && reason !== 'unknown-device') {
      const entry = this.#keys.get(deviceId);
      if (entry) entry.rejecting = true;
      else if (this.#uncachedRejecting.size < MAX_UNCACHED_REJECTING) this.#uncachedRejecting.add(deviceId);
    }
    this.#log.debug({ deviceId: deviceId || undefined, reason, source, detail }, 'telegram rejected (no answer)');
    const k = `${deviceId}\u0000${reason}`;
    const at = this.#o.clock.now();
    const r = this.#rejects.get(k);
    if (r) {
      r.count++;
      r.at = at;
      r.source = source;
    } else {
      this.#rejects.set(k, { deviceId, reason, count: 1, at, source });
    }
    this.#flushTimer ??= this.#o.clock.setTimer(REJECT_FLUSH_MS, () => void this.flushRejects());
    this.#o.onOutcome?.({ type: 'reject', deviceId, reason, detail });
  }

  /** New events are stored: tell the other processes, once per turn of the event loop at most. */
  #published(): void {
    const bus = this.#o.bus;
    if (!bus || this.#publishScheduled) return;
    this.#publishScheduled = true;
    // Tracked, so close() waits for it and the bus is not closed under it.
    void this.#track(
      new Promise<void>((done) =>
        setImmediate(() => {
          this.#publishScheduled = false;
          bus.publish({ topic: EVENTS_TOPIC }).catch((err: Error) => this.#log.warn({ err: err.message }, 'live event not sent')).finally(done);
        }),
      ),
    );
  }

  #laneOf(deviceId: string): CheckInLane {
    if (this.#lanes.length === 1) return this.#lanes[0];
    let h = 0;
    for (let i = 0; i < deviceId.length; i++) h = (h * 31 + deviceId.charCodeAt(i)) >>> 0;
    return this.#lanes[h % this.#lanes.length];
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = () => this.#inFlight.delete(p);
    p.then(done, done);
    return p;
  }
}
