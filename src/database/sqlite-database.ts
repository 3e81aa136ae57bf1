import BetterSqlite3 from 'better-sqlite3';
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect, type CompiledQuery, type QueryResult } from 'kysely';
import { ensureDirectory } from '../storage/ensure-directory.js';
import { DatabaseOpenError, type CentreDatabase } from './centre-database.js';
import type { Database } from './schema.js';
import { driveSync, type WorkFactory } from './work.js';

/**
 * How long a writer waits for another process's write lock before giving up
 * (SQLite allows one writer at a time; `centre device add` beside a running
 * `centre serve` waits this long at most).
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Pragmas for the embedded centre: WAL lets readers (status, portal) run
 * beside the writer. Durability is `synchronous = NORMAL` plus our own
 * fsync of the WAL file after each commit (`WalSync`), which together are
 * what SQLite's `synchronous = FULL` does — NORMAL syncs the WAL before
 * each checkpoint, the database after it and the WAL header when the WAL
 * starts over; FULL adds one sync of the WAL after every commit — only
 * that this last sync runs on libuv's thread pool instead of stopping the
 * event loop, and one sync covers every commit made before it started.
 */
const PRAGMAS = ['journal_mode = WAL', 'foreign_keys = ON', `busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`];

/**
 * SQLite's name for a database that lives in this process's memory only and
 * is gone when it closes: for a throwaway centre (a benchmark in virtual
 * time), where a file would add its writes to every commit and keep nothing
 * anyone reads.
 */
export const SQLITE_IN_MEMORY = ':memory:';

/** The SQLite engine: one file, one connection, synchronous transactions. */
export class SqliteDatabase implements CentreDatabase {
  readonly engine = 'sqlite' as const;
  readonly description: string;
  /** The database file (a second connection to it: the intake's writer thread). */
  readonly path: string;
  /** Whether each commit is fsynced (`open`'s `durable`). */
  readonly durable: boolean;
  readonly kysely: Kysely<Database>;
  readonly runNow: <T>(work: WorkFactory<T>) => T;
  /** Runs a transaction and commits it, not yet synced (`run` and `runNow` add the sync). */
  readonly #commit: <T>(work: WorkFactory<T>) => T;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #wal: WalSync | undefined;
  /** The transaction running now has written (a read-only one needs no sync, as SQLite's FULL syncs only after writing). */
  #wrote = false;

  private constructor(path: string, sqlite: BetterSqlite3.Database, durable: boolean) {
    this.description = `sqlite:${path}`;
    this.path = path;
    this.durable = durable;
    this.#sqlite = sqlite;
    this.#wal = durable && path !== SQLITE_IN_MEMORY ? new WalSync(`${path}-wal`) : undefined;
    this.kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    // One transaction function for the life of the connection: better-sqlite3 builds four wrappers per `transaction()`, which a centre storing a report per call paid each time.
    const transaction = sqlite.transaction((work: WorkFactory<unknown>) => driveSync(work(), (q) => this.#execute(q)));
    this.#commit = <T>(work: WorkFactory<T>): T => {
      this.#wrote = false;
      return transaction.immediate(work) as T;
    };
    this.runNow = <T>(work: WorkFactory<T>): T => {
      const result = this.#commit(work);
      if (this.#wrote) this.#wal?.syncNow();
      return result;
    };
  }

  /**
   * Open (creating the file and its directory if needed; `SQLITE_IN_MEMORY`
   * for none). Throws
   * DatabaseOpenError with one clear line. `durable: false` (synchronous =
   * OFF) is for throwaway databases of tests and benchmarks only.
   */
  static open(path: string, options: { durable?: boolean } = {}): SqliteDatabase {
    let sqlite: BetterSqlite3.Database | undefined;
    try {
      if (path !== SQLITE_IN_MEMORY) {
        ensureDirectory(dirname(path), 0o700);
        // Private from the start (SQLite gives its -wal and -shm files the same mode).
        closeSync(openSync(path, 'a', 0o600));
      }
      sqlite = path === SQLITE_IN_MEMORY ? openMemdb() : new BetterSqlite3(path);
      for (const p of PRAGMAS) sqlite.pragma(p);
      // NORMAL with our WAL sync after each commit is FULL (PRAGMAS); OFF only for throwaway databases.
      sqlite.pragma(`synchronous = ${options.durable === false ? 'OFF' : path === SQLITE_IN_MEMORY ? 'FULL' : 'NORMAL'}`);
    } catch (err) {
      sqlite?.close();
      throw new DatabaseOpenError(`cannot open SQLite database ${path}: ${sqliteReason(err)}`);
    }
    return new SqliteDatabase(path, sqlite, options.durable !== false);
  }

  /**
   * The transaction runs and commits now, synchronously, as with `runNow`;
   * the promise resolves once the WAL is synced past its commit (an fsync
   * on the thread pool, shared with the commits around it), so the event
   * loop goes on — the intake opens the next telegrams and runs the next
   * batch — while the disk writes.
   */
  run<T>(work: WorkFactory<T>): Promise<T> {
    let result: T;
    try {
      result = this.#commit(work);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#wal && this.#wrote ? this.#wal.sync().then(() => result) : Promise.resolve(result);
  }

  /** Defensive mode off or on again (`CentreDatabase.allowSchemaWrites`): better-sqlite3 keeps it on except in its unsafe mode. */
  readonly allowSchemaWrites = (allowed: boolean): void => {
    this.#sqlite.unsafeMode(allowed);
  };

  /**
   * SQLite's `data_version`: it changes when another connection — another
   * process on the same file — has committed since the last look, never for
   * this connection's own commits. Reading it touches no page of the
   * database (the WAL index in shared memory), so it can be polled often.
   */
  dataVersion(): number {
    return this.#sqlite.pragma('data_version', { simple: true }) as number;
  }

  async close(): Promise<void> {
    await this.#wal?.close();
    await this.kysely.destroy();
  }

  #execute(q: CompiledQuery): QueryResult<unknown> {
    let stmt = this.#statements.get(q.sql);
    if (!stmt) {
      stmt = this.#sqlite.prepare(q.sql);
      this.#statements.set(q.sql, stmt);
    }
    const params = q.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(...params) };
    this.#wrote = true;
    const r = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(r.changes), insertId: BigInt(r.lastInsertRowid) };
  }
}

/**
 * An empty in-memory database on SQLite's memdb VFS (`sqlite3_deserialize`
 * of an empty one) rather than a plain `:memory:`. A plain one keeps every
 * page in its page cache, and each commit scans that cache's whole hash
 * table once a page split has moved a page through the locking page's
 * number (`pcache1Rekey` raises the cache's highest key to it, so
 * `pager_end_transaction`'s truncate takes its full-scan branch): a commit
 * then costs time in proportion to the database's size — about 20 µs per
 * stored report in a 12,500-PBX centre after a week (bench/fleet-part,
 * docs/perf.md). On memdb the pages live in one growable buffer behind an
 * ordinary page cache of `cache_size` pages, so a commit costs the same at
 * any size. Its ceiling is SQLite's memdb maximum, 1 GiB
 * (SQLITE_MEMDB_DEFAULT_MAXSIZE): beyond it a write fails with
 * SQLITE_FULL, "database or disk is full".
 */
function openMemdb(): BetterSqlite3.Database {
  const empty = new BetterSqlite3(SQLITE_IN_MEMORY);
  let memdb: BetterSqlite3.Database;
  try {
    memdb = new BetterSqlite3(empty.serialize());
  } finally {
    empty.close();
  }
  memdb.pragma(`cache_size = -${MEMDB_CACHE_KIB}`);
  return memdb;
}

/**
 * Page cache of an in-memory (memdb) database, in KiB: SQLite's own default
 * (better-sqlite3 sets 16 MiB). The cache only copies pages that are in
 * memory anyway, and the truncate at every commit scans its whole hash
 * table (`openMemdb`), so a small one is cheaper: bench/fleet-part's centre
 * spent about a fifth less per stored report with 2 MiB than with 16.
 */
const MEMDB_CACHE_KIB = 2_000;

function sqliteReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'SQLITE_NOTADB') return 'the file is not an SQLite database';
  if (e.code === 'SQLITE_CANTOPEN') return 'the file cannot be opened (does its directory exist and is it writable?)';
  if (e.code === 'SQLITE_READONLY') return 'the file is read-only';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') return 'a path component is not a directory';
  return e.message ?? String(err);
}

/**
 * The fsync of the WAL file that makes commits durable (`PRAGMAS`), as a
 * group: `sync()` resolves after an fsync that started after the call —
 * so after every commit made before it — has completed. One runs at a
 * time on libuv's thread pool; commits made while it runs share the next.
 *
 * Why an fsync of our own descriptor covers SQLite's writes: fsync acts on
 * the file, not on the descriptor that wrote. The WAL file is the same file
 * for as long as this connection is open: SQLite deletes it only when the
 * last connection closes, restarts it in place (and syncs its new header
 * itself), and a checkpoint syncs the WAL before it copies pages out of it.
 * A failed fsync fails every later sync too (the kernel may have dropped
 * the pages it could not write, and a later fsync would not say so), so
 * nothing more is acknowledged.
 */
class WalSync {
  readonly #path: string;
  #fd: number | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  sync(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#queued) return this.#queued;
    if (!this.#running) return this.#start();
    const next = (): Promise<void> => {
      this.#queued = undefined;
      return this.#failed ? Promise.reject(this.#failed) : this.#start();
    };
    this.#queued = this.#running.then(next, next);
    return this.#queued;
  }

  /** Sync now, on this thread (`runNow`: durable when it returns). */
  syncNow(): void {
    if (this.#failed) throw this.#failed;
    try {
      fsyncSync(this.#descriptor());
    } catch (err) {
      throw this.#fail(err);
    }
  }

  async close(): Promise<void> {
    while (this.#running || this.#queued) await (this.#queued ?? this.#running)!.catch(() => undefined);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #start(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.#descriptor();
      } catch (err) {
        this.#running = undefined;
        return reject(this.#fail(err));
      }
      fsync(fd, (err) => {
        this.#running = undefined;
        if (err) reject(this.#fail(err));
        else resolve();
      });
    });
    this.#running = p;
    return p;
  }

  /** Opened at the first sync: by then a commit has made the file (read-only is enough to fsync on Linux). */
  #descriptor(): number {
    this.#fd ??= openSync(this.#path, 'r');
    return this.#fd;
  }

  #fail(err: unknown): Error {
    this.#failed ??= new Error(`cannot sync the SQLite WAL ${this.#path}: ${(err as Error).message}`);
    return this.#failed;
  }
}
