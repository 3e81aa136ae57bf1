import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from '../database/sqlite-database.js';
import { silentLogger, type Logger } from '../logger.js';
import type { CheckInLane } from './check-in-lane.js';
import type { CheckInArrival, CheckInOutcome } from './check-in-store.js';

/** What the writer thread is started with. */
export interface StoreThreadData {
  path: string;
  durable: boolean;
  maxBatch?: number;
}

/** Main thread → writer thread: the arrivals of one turn of the event loop, or the end. */
export type StoreThreadRequest = { type: 'store'; arrivals: Array<{ id: number; arrival: CheckInArrival }> } | { type: 'close' };

export type StoreThreadResult = { id: number; outcome: CheckInOutcome } | { id: number; error: string };

/** Writer thread → main thread. */
export type StoreThreadReply = { type: 'ready' } | { type: 'failed'; error: string } | { type: 'results'; results: StoreThreadResult[] };

interface Waiting {
  resolve(o: CheckInOutcome): void;
  reject(err: Error): void;
}

const THREAD = new URL('./check-in-store-thread.js', import.meta.url);

/**
 * A check-in lane (`check-in-lane.ts`) whose transactions run in a writer
 * thread of their own (`check-in-store-thread.ts`) on a second connection
 * to the same SQLite file. better-sqlite3 commits synchronously: on the
 * intake's thread every fsync stopped the opening of new telegrams and the
 * sealing of acks for its whole length, so batches stayed small and the
 * two cores took turns. With the writer beside it, the intake opens and
 * answers while a batch commits, and the batch grows with the load.
 *
 * Exactness is the database's, as before: the replay window is the atomic
 * conditional update of `replay-windows.ts`, SQLite takes one writer at a
 * time (busy timeout), and an outcome is handed back only after its
 * transaction committed. If the thread dies, what it held is rejected
 * (not committed: no answer, the devices send again) and a new one starts.
 */
export class CheckInStoreWorker implements CheckInLane {
  readonly #data: StoreThreadData;
  readonly #log: Logger;
  readonly #waiting = new Map<number, Waiting>();
  /** Undefined while a new thread starts after the old one died. */
  #worker: Worker | undefined;
  #nextId = 1;
  #outbox: Array<{ id: number; arrival: CheckInArrival }> = [];
  #sendScheduled = false;
  #closing = false;
  #drained: Array<() => void> = [];

  private constructor(data: StoreThreadData, worker: Worker, log: Logger) {
    this.#data = data;
    this.#log = log;
    this.#worker = worker;
    this.#attach(worker);
  }

  /** Start the writer thread on `db`'s file; resolves when its connection is open, rejects with the reason it cannot be. */
  static async start(db: Pick<SqliteDatabase, 'path' | 'durable'>, options: { logger?: Logger; maxBatch?: number } = {}): Promise<CheckInStoreWorker> {
    const data: StoreThreadData = { path: db.path, durable: db.durable, maxBatch: options.maxBatch };
    const log = (options.logger ?? silentLogger).child({ component: 'check-in-writer' });
    return new CheckInStoreWorker(data, await spawn(data), log);
  }

  store(arrival: CheckInArrival): Promise<CheckInOutcome> {
    if (this.#closing) return Promise.reject(new Error('check-in writer thread closed'));
    return new Promise<CheckInOutcome>((resolve, reject) => {
      const id = this.#nextId++;
      this.#waiting.set(id, { resolve, reject });
      this.#outbox.push({ id, arrival });
      if (this.#sendScheduled) return;
      this.#sendScheduled = true;
      // Everything opened in this turn crosses to the thread in one message.
      setImmediate(() => {
        this.#sendScheduled = false;
        const arrivals = this.#outbox;
        this.#outbox = [];
        if (this.#worker) this.#worker.postMessage({ type: 'store', arrivals } satisfies StoreThreadRequest);
        else this.#fail(arrivals.map((a) => a.id), 'check-in writer thread restarting');
      });
    });
  }

  flush(): Promise<void> {
    if (this.#waiting.size === 0) return Promise.resolve();
    return new Promise((done) => this.#drained.push(done));
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closing = true;
    const w = this.#worker;
    if (!w) return;
    const exited = new Promise((done) => w.once('exit', done));
    w.postMessage({ type: 'close' } satisfies StoreThreadRequest);
    await exited;
  }

  /** Stop the thread as a crash would (tests): what it held is rejected, and another thread starts. */
  async crashThread(): Promise<void> {
    await this.#worker?.terminate();
  }

  /** Resolves when a thread is running again (after `crashThread`). */
  async running(): Promise<void> {
    while (!this.#worker) await new Promise((r) => setTimeout(r, 10));
  }

  #attach(worker: Worker): void {
    worker.on('message', (m: StoreThreadReply) => {
      if (m.type !== 'results') return;
      for (const r of m.results) {
        const w = this.#waiting.get(r.id);
        if (!w) continue;
        this.#waiting.delete(r.id);
        if ('outcome' in r) w.resolve(r.outcome);
        else w.reject(new Error(r.error));
      }
      this.#checkDrained();
    });
    worker.on('error', (err) => this.#log.error({ err: err.message }, 'check-in writer thread failed'));
    worker.on('exit', (code) => {
      if (this.#closing) return;
      // Nothing it held was answered: reject it (the devices send again) and carry on with a new thread.
      this.#log.error({ code, pending: this.#waiting.size }, 'check-in writer thread stopped; starting another');
      this.#worker = undefined;
      this.#fail([...this.#waiting.keys()], 'check-in writer thread stopped');
      spawn(this.#data).then(
        (next) => {
          if (this.#closing) return void next.terminate();
          this.#worker = next;
          this.#attach(next);
        },
        (err: Error) => this.#log.error({ err: err.message }, 'check-in writer thread cannot start again'),
      );
    });
  }

  #fail(ids: number[], why: string): void {
    for (const id of ids) {
      this.#waiting.get(id)?.reject(new Error(why));
      this.#waiting.delete(id);
    }
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#waiting.size > 0) return;
    const d = this.#drained;
    this.#drained = [];
    for (const done of d) done();
  }
}

function spawn(data: StoreThreadData): Promise<Worker> {
  const worker = new Worker(THREAD, { workerData: data });
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`check-in writer thread exited with code ${code} before it was ready`));
    const onError = (err: Error) => reject(new Error(`check-in writer thread failed before it was ready: ${err.message}`));
    worker.once('exit', onExit);
    worker.once('error', onError);
    worker.once('message', (m: StoreThreadReply) => {
      worker.off('exit', onExit);
      worker.off('error', onError);
      if (m.type === 'ready') resolve(worker);
      else {
        reject(new Error(m.type === 'failed' ? m.error : 'check-in writer thread: unexpected first message'));
        void worker.terminate();
      }
    });
  });
}
