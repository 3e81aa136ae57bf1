import type { CentreDatabase } from '../database/centre-database.js';
import { BatchCommit, type GroupCommitStats } from '../database/group-commit.js';
import type { Logger } from '../logger.js';
import { storeCheckIn, storeCheckIns, type CheckInArrival, type CheckInOutcome } from './check-in-store.js';

/**
 * Where the intake commits a check-in that passed its tag: one unit of
 * work (`storeCheckIn`) per arrival, batched with others into one
 * transaction. `store` resolves with the outcome only after that
 * transaction committed (then, and only then, the intake answers) and
 * rejects if it did not. Two kinds: a group commit on this thread's
 * connection (`groupCommitLane`), or a writer thread of its own on the
 * same SQLite file (`CheckInStoreWorker`), so the fsync of one batch does
 * not stop this thread from opening the next telegrams and sealing the
 * last batch's acks.
 */
export interface CheckInLane {
  store(arrival: CheckInArrival): Promise<CheckInOutcome>;
  /** Resolves when everything stored so far has committed or failed. */
  flush(): Promise<void>;
  /** After `flush`: free what the lane holds (a thread). */
  close(): Promise<void>;
}

/** The group commit of check-ins: a batch in multi-row statements (`storeCheckIns`), one alone as `storeCheckIn`. */
export function checkInCommit(db: CentreDatabase, options: { maxBatch?: number; logger?: Logger } = {}): BatchCommit<CheckInArrival, CheckInOutcome> {
  return new BatchCommit(db, { batch: (items) => storeCheckIns(db.kysely, items), one: (a) => storeCheckIn(db.kysely, a) }, options);
}

/** A lane on a group commit of this thread's connection. */
export function groupCommitLane(commit: BatchCommit<CheckInArrival, CheckInOutcome>): CheckInLane & { stats: GroupCommitStats } {
  return {
    stats: commit.stats,
    store: (a) => commit.add(a),
    flush: () => commit.flush(),
    close: () => Promise.resolve(),
  };
}
