import type { Kysely, Selectable } from 'kysely';
import type { BusMessage, EventBus } from '../database/event-bus.js';
import { RESYNC_TOPIC } from '../database/event-bus.js';
import type { Database, EventsTable } from '../database/schema.js';
import type { Logger } from '../logger.js';

export type EventRow = Selectable<EventsTable>;

/** Topic of the live-event bus when people, grants or sessions changed: open live streams judge their session again. */
export const ACCESS_TOPIC = 'portal.access';
/**
 * Sessions of open streams are judged again at least this often: for
 * expiry, which no change announces. Changes people make — in the portal,
 * by `hicom-sim centre person …` in another process — arrive on the bus
 * (LISTEN/NOTIFY on PostgreSQL, the file's change counter on SQLite) and are
 * judged at once.
 */
export const LIVE_REJUDGE_MS = 10_000;
/** Rows per read of new events. */
const BATCH = 500;
/** Rows per read when a stream resumes from an older Last-Event-ID. */
const GAP_BATCH = 200;

/** One open live stream, as the feed sees it. */
export interface LiveSubscriber {
  /** Subscribers with the same key see the same devices: the feed asks `visible` once per key and batch. */
  readonly scopeKey: string;
  /** Of `deviceIds`, those this subscriber may get live events of. */
  visible(deviceIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** New events (ascending ids) of devices `visible` admitted. */
  send(rows: readonly EventRow[]): void;
  /** People, grants or sessions changed (or the periodic look): judge the session again. */
  rejudge(): Promise<void>;
}

/** A stream to open on the feed: who it is for, from where it resumes, how it reads its gap and where its events go. */
export interface LiveStreamSpec extends Omit<LiveSubscriber, 'send'> {
  /** The last event id the client has; it gets every later one it may see, in order, once. */
  after: number;
  /** Up to `limit` events after `afterId` (ascending) through the stream's own filter: its gap before it joins the feed. */
  gap(afterId: number, limit: number): Promise<EventRow[]>;
  /** Events for the client, ascending, each once. */
  deliver(rows: readonly EventRow[]): void;
}

/**
 * The one reader of new events for every open live stream of a process —
 * the portal's `/live` and the API's `/api/v1/live` alike. A bus message
 * ("something changed") makes the feed read the events past its cursor
 * once, ask each distinct scope once which of their devices it may see, and
 * hand each stream its share — so one event costs a few queries however many
 * clients listen, not a few per client. Access changes and a resync (a lost
 * PostgreSQL listener back, or another process's commit to the SQLite file)
 * make every stream judge its session again. Streams resuming from an older
 * Last-Event-ID read their gap themselves first (`open`).
 */
export class LiveFeed {
  readonly #subscribers = new Set<LiveSubscriber>();
  #cursor = 0;
  #started: Promise<void> | undefined;
  #reading = false;
  #again = false;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly qb: Kysely<Database>,
    readonly bus: EventBus,
    readonly log: Logger,
    readonly rejudgeMs = LIVE_REJUDGE_MS,
  ) {}

  /** The id every new stream starts after unless it resumes: the newest event when the feed started. */
  async cursor(): Promise<number> {
    this.#started ??= this.#start();
    await this.#started;
    return this.#cursor;
  }

  async #start(): Promise<void> {
    this.#cursor = await this.newest();
    this.#unsubscribe = this.bus.subscribe((m) => this.#onMessage(m));
    this.#timer = setInterval(() => void this.#rejudgeAll(), this.rejudgeMs);
    this.#timer.unref();
  }

  async newest(): Promise<number> {
    return Number((await this.qb.selectFrom('events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  }

  /** Open streams on the feed (API and portal together). */
  get streams(): number {
    return this.#subscribers.size;
  }

  add(s: LiveSubscriber): () => void {
    this.#subscribers.add(s);
    return () => this.#subscribers.delete(s);
  }

  /**
   * Join a stream: it reads its gap after `spec.after` itself, holding back
   * what the feed hands it meanwhile, then gets the held and every later
   * event — nothing twice, nothing lost, in order. Returns the function
   * that leaves the feed.
   */
  async open(spec: LiveStreamSpec): Promise<() => void> {
    await this.cursor();
    let last = spec.after;
    let gap = true;
    let left = false;
    const held: EventRow[] = [];
    const write = (rows: readonly EventRow[]) => {
      const fresh = rows.filter((e) => Number(e.id) > last);
      if (fresh.length === 0 || left) return;
      last = Number(fresh[fresh.length - 1].id);
      spec.deliver(fresh);
    };
    const leave = this.add({
      get scopeKey() {
        return spec.scopeKey;
      },
      visible: (ids) => spec.visible(ids),
      send: (rows) => (gap ? held.push(...rows) : write(rows)),
      rejudge: () => spec.rejudge(),
    });
    try {
      for (;;) {
        const rows = await spec.gap(last, GAP_BATCH);
        write(rows);
        if (rows.length < GAP_BATCH || left) break;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'live stream could not read the events it missed');
    }
    gap = false;
    write(held.sort((a, b) => Number(a.id) - Number(b.id)));
    return () => {
      left = true;
      leave();
    };
  }

  close(): void {
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    this.#subscribers.clear();
  }

  #onMessage(m: BusMessage): void {
    if (m.topic === ACCESS_TOPIC || m.topic === RESYNC_TOPIC) void this.#rejudgeAll().then(() => this.#read());
    else void this.#read();
  }

  async #rejudgeAll(): Promise<void> {
    await Promise.all([...this.#subscribers].map((s) => s.rejudge().catch((err: Error) => this.log.warn({ err: err.message }, 'live stream could not judge its session'))));
  }

  /** Read what is new since the cursor and hand it out; a message during a read makes it read again. */
  async #read(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    try {
      do {
        this.#again = false;
        for (;;) {
          const rows = await this.qb.selectFrom('events').selectAll().where('id', '>', this.#cursor).orderBy('id').limit(BATCH).execute();
          if (rows.length === 0) break;
          this.#cursor = Number(rows[rows.length - 1].id);
          await this.#handOut(rows);
          if (rows.length < BATCH) break;
        }
      } while (this.#again);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'live feed could not read events');
    } finally {
      this.#reading = false;
    }
  }

  async #handOut(rows: readonly EventRow[]): Promise<void> {
    const devices = [...new Set(rows.map((r) => r.device_id))];
    const byScope = new Map<string, Promise<ReadonlySet<string>>>();
    await Promise.all(
      [...this.#subscribers].map(async (s) => {
        let v = byScope.get(s.scopeKey);
        if (!v) byScope.set(s.scopeKey, (v = s.visible(devices)));
        const allowed = await v;
        const mine = rows.filter((r) => allowed.has(r.device_id));
        if (mine.length) s.send(mine);
      }),
    );
  }
}
