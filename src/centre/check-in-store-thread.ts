/**
 * The intake's SQLite writer thread (`check-in-store-worker.ts` starts it):
 * a connection of its own to the centre's database file and a group commit
 * on it. Arrivals come in as messages; those of one turn of this thread's
 * event loop, and those that arrive while a transaction commits, share the
 * next transaction; each outcome goes back only after its commit. The
 * schema is the main thread's business (it migrated before starting this).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { SqliteDatabase } from '../database/sqlite-database.js';
import { checkInCommit } from './check-in-lane.js';
import type { StoreThreadData, StoreThreadReply, StoreThreadRequest, StoreThreadResult } from './check-in-store-worker.js';

const port = parentPort;
if (!port) throw new Error('check-in-store-thread.js runs only as a worker thread');
const data = workerData as StoreThreadData;

/** The database, or undefined after saying why not (as the reply to start; the thread then ends, nothing keeping it alive). */
function open(to: MessagePort): SqliteDatabase | undefined {
  try {
    return SqliteDatabase.open(data.path, { durable: data.durable });
  } catch (err) {
    to.postMessage({ type: 'failed', error: (err as Error).message } satisfies StoreThreadReply);
    to.close();
    return undefined;
  }
}

function serve(to: MessagePort, db: SqliteDatabase): void {
  const commit = checkInCommit(db, { maxBatch: data.maxBatch });
  let replies: StoreThreadResult[] = [];
  let replyScheduled = false;
  /** Outcomes that committed in one turn go back in one message. */
  const reply = (r: StoreThreadResult): void => {
    replies.push(r);
    if (replyScheduled) return;
    replyScheduled = true;
    setImmediate(() => {
      replyScheduled = false;
      const batch = replies;
      replies = [];
      to.postMessage({ type: 'results', results: batch } satisfies StoreThreadReply);
    });
  };
  to.on('message', (m: StoreThreadRequest) => {
    if (m.type === 'close') {
      void commit.flush().then(() => db.close()).then(() => to.close());
      return;
    }
    for (const { id, arrival } of m.arrivals) {
      commit.add(arrival).then(
        (outcome) => reply({ id, outcome }),
        (err: Error) => reply({ id, error: err.message }),
      );
    }
  });
  to.postMessage({ type: 'ready' } satisfies StoreThreadReply);
}

const db = open(port);
if (db) serve(port, db);
