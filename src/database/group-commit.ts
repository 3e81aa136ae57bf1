import type { CentreDatabase } from './centre-database.js';
import type { Work, WorkFactory } from './work.js';
import { silentLogger, type Logger } from '../logger.js';

/** Units of work per transaction at most: a burst after an outage commits in slices, not in one huge transaction. */
export const DEFAULT_MAX_BATCH = 1_000;

interface Pending<I, R> {
  item: I;
  resolve(value: R): void;
  reject(err: unknown): void;
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  /** Batches that failed as a whole and were run again one unit at a time. */
  splits: number;
}

/** How a batch of items becomes one transaction, and one item alone (after its batch failed). */
export interface BatchWork<I, R> {
  batch(items: readonly I[]): Work<R[]>;
  one(item: I): Work<R>;
}

/**
 * The batching writer ("group commit") of the intake: items that arrive
 * while a transaction is being committed — or within the same turn of the
 * event loop — are run together in the next transaction, so many share one
 * fsync. Each caller's promise resolves only after the transaction holding
 * its item committed (then the intake may send its ack) and rejects if it
 * did not. `BatchWork.batch` may do the items' work in fewer statements
 * than one by one (the check-ins' multi-row statements).
 *
 * One failing item must not cost the others their commit: a batch that
 * fails is run again one item at a time (`BatchWork.one`), and only the
 * failing one rejects. A database that is down rejects every item: nothing
 * is acknowledged that was not stored.
 */
export class BatchCommit<I, R> {
  readonly #db: CentreDatabase;
  readonly #work: BatchWork<I, R>;
  readonly #maxBatch: number;
  readonly #depth: number;
  readonly #log: Logger;
  #queue: Array<Pending<I, R>> = [];
  #scheduled = false;
  /** Batches whose transaction has started and not yet resolved (at most `depth`). */
  #inFlight = 0;
  #idle: Array<() => void> = [];
  readonly stats: GroupCommitStats = { batches: 0, items: 0, splits: 0 };

  /**
   * `depth`: batches in flight at once. By default 1 — the next batch
   * starts after the last one committed — where transactions are
   * asynchronous (PostgreSQL: two at once would be two writers of one lane,
   * `check-in-intake.ts`), and 2 where the engine runs a transaction
   * synchronously and only then waits for the disk (SQLite,
   * `SqliteDatabase.run`): the next batch runs while the last one's fsync
   * is on its way, one transaction after the other as always, and the
   * syncs keep their order, so the outcomes resolve in the order the
   * batches ran.
   */
  constructor(db: CentreDatabase, work: BatchWork<I, R>, options: { maxBatch?: number; depth?: number; logger?: Logger } = {}) {
    this.#db = db;
    this.#work = work;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#depth = Math.max(1, options.depth ?? (db.runNow ? 2 : 1));
    this.#log = (options.logger ?? silentLogger).child({ component: 'group-commit' });
  }

  /** Queue an item; resolves with its result after its batch committed. */
  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled && this.#inFlight < this.#depth) {
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
    while (this.#queue.length > 0 || this.#inFlight > 0 || this.#scheduled) {
      if (this.#inFlight > 0) await new Promise<void>((r) => this.#idle.push(r));
      else await new Promise((r) => setImmediate(r));
    }
  }

  #start(): void {
    while (this.#inFlight < this.#depth && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#commit(batch).finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) for (const done of this.#idle.splice(0)) done();
        // Work queued while this batch was committing.
        if (!this.#scheduled) this.#start();
      });
    }
  }

  async #commit(batch: Array<Pending<I, R>>): Promise<void> {
    this.stats.batches++;
    this.stats.items += batch.length;
    const items = batch.map((p) => p.item);
    try {
      const results = await this.#db.run(() => this.#work.batch(items));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      this.stats.splits++;
      this.#log.warn({ err: (err as Error).message, size: batch.length }, 'batch failed; committing its units one by one');
      for (const p of batch) {
        try {
          p.resolve(await this.#db.run(() => this.#work.one(p.item)));
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }
}

/** Units of work of any kind, batched: each is its own factory, and a batch runs them one after the other. */
export class GroupCommit extends BatchCommit<WorkFactory<unknown>, unknown> {
  constructor(db: CentreDatabase, options: { maxBatch?: number; logger?: Logger } = {}) {
    super(db, { batch: all, one: (work) => work() }, options);
  }

  /** Queue a unit of work; resolves with its result after its batch committed. */
  submit<T>(work: WorkFactory<T>): Promise<T> {
    return this.add(work) as Promise<T>;
  }
}

function* all(batch: readonly WorkFactory<unknown>[]): Work<unknown[]> {
  const results: unknown[] = [];
  for (const work of batch) results.push(yield* work());
  return results;
}
