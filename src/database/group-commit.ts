import type { CentreDatabase } from './centre-database.js';
import type { Work, WorkFactory } from './work.js';
import { silentLogger, type Logger } from '../logger.js';

/** Units of work per transaction at most: a burst after an outage commits in slices, not in one huge transaction. */
export const DEFAULT_MAX_BATCH = 1_000;

interface Pending {
  work: WorkFactory<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  /** Batches that failed as a whole and were run again one unit at a time. */
  splits: number;
}

/**
 * The batching writer ("group commit") of the intake: units of work that
 * arrive while a transaction is being committed — or within the same turn
 * of the event loop — are run together in the next transaction, so many
 * telegrams share one fsync. Each caller's promise resolves only after the
 * transaction holding its work committed (then the intake may send its
 * ack) and rejects if it did not.
 *
 * One failing unit must not cost the others their commit: a batch that
 * fails is run again one unit at a time, and only the failing one rejects.
 * A database that is down rejects every unit: nothing is acknowledged that
 * was not stored.
 */
export class GroupCommit {
  readonly #db: CentreDatabase;
  readonly #maxBatch: number;
  readonly #log: Logger;
  readonly #concurrency: number;
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #running = new Set<Promise<void>>();
  readonly stats: GroupCommitStats = { batches: 0, items: 0, splits: 0 };

  /**
   * `concurrency`: transactions committing at the same time (default 1). On
   * PostgreSQL several batches in flight keep the pool's connections busy
   * while each waits for its round trips; units of work must then be safe
   * against each other (the intake's are: the replay window is a
   * compare-and-set). SQLite commits synchronously, so more gains nothing.
   */
  constructor(db: CentreDatabase, options: { maxBatch?: number; logger?: Logger; concurrency?: number } = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#log = (options.logger ?? silentLogger).child({ component: 'group-commit' });
  }

  /** Queue a unit of work; resolves with its result after its batch committed. */
  submit<T>(work: WorkFactory<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled && this.#running.size < this.#concurrency) {
        this.#scheduled = true;
        // Let everything that arrives in this turn of the event loop join the first batch.
        setImmediate(() => {
          this.#scheduled = false;
          this.#start();
        });
      }
    });
  }

  /** Resolves when everything submitted so far has committed or failed. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running.size > 0 || this.#scheduled) {
      if (this.#running.size > 0) await Promise.all([...this.#running]);
      else await new Promise((r) => setImmediate(r));
    }
  }

  #start(): void {
    while (this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const run: Promise<void> = this.#drain().finally(() => {
        this.#running.delete(run);
        // Work queued while this drain was the last one finishing.
        if (this.#queue.length > 0 && !this.#scheduled) this.#start();
      });
      this.#running.add(run);
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.stats.batches++;
      this.stats.items += batch.length;
      try {
        const results = await this.#db.run(() => all(batch));
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        if (batch.length === 1) {
          batch[0].reject(err);
          continue;
        }
        this.stats.splits++;
        this.#log.warn({ err: (err as Error).message, size: batch.length }, 'batch failed; committing its units one by one');
        for (const p of batch) {
          try {
            p.resolve(await this.#db.run(p.work));
          } catch (e) {
            p.reject(e);
          }
        }
      }
    }
  }
}

function* all(batch: readonly Pending[]): Work<unknown[]> {
  const results: unknown[] = [];
  for (const p of batch) results.push(yield* p.work());
  return results;
}
