import { BusListeners, type BusMessage, type EventBus } from './event-bus.js';
import { silentLogger, type Logger } from '../logger.js';

/** The event bus inside one process (SQLite: one process owns the file's writes). Delivers on a later microtask, like the PostgreSQL bus. */
export class MemoryEventBus implements EventBus {
  readonly #listeners = new BusListeners();
  readonly #log: Logger;
  #closed = false;

  constructor(logger: Logger = silentLogger) {
    this.#log = logger.child({ component: 'event-bus' });
  }

  async publish(message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('event bus is closed');
    const copy = JSON.parse(JSON.stringify(message)) as BusMessage;
    queueMicrotask(() => this.#listeners.deliver(copy, (err) => this.#log.error({ err: (err as Error).message }, 'event listener failed')));
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#listeners.add(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
