import { RESYNC_TOPIC, type BusMessage, type EventBus } from './event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { silentLogger, type Logger } from '../logger.js';

/**
 * How often the SQLite bus looks whether another process committed to the
 * file. `data_version` is read from shared memory (a few µs), so four looks
 * a second cost nothing measurable, and a change made by
 * `hicom-sim centre person …` or a second process reaches open live streams
 * within a quarter of a second.
 */
export const SQLITE_CHANGE_POLL_MS = 250;

/**
 * The live-event bus on SQLite: messages of this process go from publisher
 * to subscribers in memory (as `MemoryEventBus`); what another process
 * committed to the same file — which no message can carry — shows up as a
 * change of the file's `data_version`, and subscribers get a
 * `{ topic: 'resync' }` to read the database again, as the PostgreSQL bus
 * sends one after a lost listener.
 */
export class SqliteEventBus implements EventBus {
  readonly #memory: MemoryEventBus;
  readonly #db: SqliteDatabase;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #version: number;

  constructor(db: SqliteDatabase, logger: Logger = silentLogger, pollMs = SQLITE_CHANGE_POLL_MS) {
    this.#db = db;
    this.#memory = new MemoryEventBus(logger);
    this.#log = logger.child({ component: 'event-bus' });
    this.#version = db.dataVersion();
    this.#timer = setInterval(() => this.#look(), pollMs);
    // Looking keeps no process alive: a centre ends when its servers close.
    this.#timer.unref();
  }

  #look(): void {
    let now: number;
    try {
      now = this.#db.dataVersion();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'could not read the database file\'s change counter');
      return;
    }
    if (now === this.#version) return;
    this.#version = now;
    this.#memory.publish({ topic: RESYNC_TOPIC, reason: 'another process wrote the database' }).catch(() => undefined);
  }

  publish(message: BusMessage): Promise<void> {
    return this.#memory.publish(message);
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#memory.subscribe(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#memory.close();
  }
}
