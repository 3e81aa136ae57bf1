/**
 * Live notifications between the centre's processes (spec §5.3: "live
 * events between them by PostgreSQL's LISTEN/NOTIFY"): the intake says "event
 * 4711 stored", every portal process hears it and pushes it to its browsers.
 *
 * Contract:
 * - A message is a small JSON object with a `topic`; it tells that
 *   something changed, the database holds what changed (a listener reads
 *   the rows). Publish after the commit.
 * - Every subscriber of every process on the same database gets every
 *   message once, asynchronously, in publish order per publisher.
 * - Delivery is best effort: a listener that lost its connection gets a
 *   `{ topic: 'resync' }` when it is back and catches up from the database.
 *
 * Adapters: `memory-event-bus.ts` (one process: SQLite), `postgres-event-bus.ts`.
 */
export interface BusMessage {
  topic: string;
  [field: string]: unknown;
}

export const RESYNC_TOPIC = 'resync';

export interface EventBus {
  publish(message: BusMessage): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

/** The set of listeners both adapters deliver to; a throwing listener does not stop the others. */
export class BusListeners {
  readonly #listeners = new Set<(m: BusMessage) => void>();

  add(listener: (m: BusMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver(message: BusMessage, onError: (err: unknown) => void): void {
    for (const l of this.#listeners) {
      try {
        l(message);
      } catch (err) {
        onError(err);
      }
    }
  }
}
