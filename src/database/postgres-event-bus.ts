import type pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { BusListeners, RESYNC_TOPIC, type BusMessage, type EventBus } from './event-bus.js';
import type { PostgresDatabase } from './postgres-database.js';
import { silentLogger, type Logger } from '../logger.js';

/** The NOTIFY channel of the centre's live events. */
export const EVENT_CHANNEL = 'hicom_centre_events';
/** PostgreSQL refuses NOTIFY payloads from 8000 bytes on (documentation of NOTIFY). */
export const MAX_PAYLOAD_BYTES = 7_999;
/** Wait before listening again after the connection was lost. */
export const RELISTEN_DELAY_MS = 1_000;

/**
 * The event bus between processes on one PostgreSQL database: publish is
 * `pg_notify` through the pool, and one connection of its own per process
 * LISTENs and hands every message to this process's subscribers. When that
 * connection is lost it listens again and tells subscribers to resync.
 */
export class PostgresEventBus implements EventBus {
  readonly #db: PostgresDatabase;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listeners = new BusListeners();
  #client: pg.Client | undefined;
  #closed = false;

  private constructor(db: PostgresDatabase, clock: Clock, logger: Logger) {
    this.#db = db;
    this.#clock = clock;
    this.#log = logger.child({ component: 'event-bus' });
  }

  /** Resolves once this process listens: what is published after that reaches it. */
  static async open(db: PostgresDatabase, clock: Clock, logger: Logger = silentLogger): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(db, clock, logger);
    await bus.#listen();
    return bus;
  }

  async publish(message: BusMessage): Promise<void> {
    const payload = JSON.stringify(message);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) throw new Error(`event bus message of ${Buffer.byteLength(payload)} bytes is over PostgreSQL's NOTIFY limit (${MAX_PAYLOAD_BYTES}); send ids, not rows`);
    await this.#db.pool.query('select pg_notify($1, $2)', [EVENT_CHANNEL, payload]);
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#listeners.add(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    const client = this.#db.newClient();
    client.on('notification', (n) => {
      if (n.channel !== EVENT_CHANNEL || n.payload === undefined) return;
      let message: BusMessage;
      try {
        message = JSON.parse(n.payload) as BusMessage;
      } catch {
        this.#log.warn({ payload: n.payload.slice(0, 200) }, 'event bus message is not JSON; dropped');
        return;
      }
      this.#deliver(message);
    });
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`listen ${EVENT_CHANNEL}`);
    this.#client = client;
  }

  #lost(client: pg.Client, err: Error): void {
    if (this.#closed || this.#client !== client) return;
    this.#client = undefined;
    this.#log.warn({ err: err.message }, 'event bus connection lost; listening again');
    const retry = () => {
      if (this.#closed) return;
      this.#listen().then(
        () => this.#deliver({ topic: RESYNC_TOPIC }),
        () => this.#clock.setTimer(RELISTEN_DELAY_MS, retry),
      );
    };
    this.#clock.setTimer(RELISTEN_DELAY_MS, retry);
  }

  #deliver(message: BusMessage): void {
    this.#listeners.deliver(message, (err) => this.#log.error({ err: (err as Error).message }, 'event listener failed'));
  }
}
