import BetterSqlite3 from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
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
 * beside the writer; synchronous=FULL makes every commit durable across a
 * power cut, not only a process crash — what an acknowledgement promises;
 * group commit (`group-commit.ts`) is what keeps that affordable.
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
  readonly #sqlite: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(path: string, sqlite: BetterSqlite3.Database, durable: boolean) {
    this.description = `sqlite:${path}`;
    this.path = path;
    this.durable = durable;
    this.#sqlite = sqlite;
    this.kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    // One transaction function for the life of the connection: better-sqlite3 builds four wrappers per `transaction()`, which a centre storing a report per call paid each time.
    const transaction = sqlite.transaction((work: WorkFactory<unknown>) => driveSync(work(), (q) => this.#execute(q)));
    this.runNow = <T>(work: WorkFactory<T>): T => transaction.immediate(work) as T;
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
      sqlite = new BetterSqlite3(path);
      for (const p of PRAGMAS) sqlite.pragma(p);
      sqlite.pragma(`synchronous = ${options.durable === false ? 'OFF' : 'FULL'}`);
    } catch (err) {
      sqlite?.close();
      throw new DatabaseOpenError(`cannot open SQLite database ${path}: ${sqliteReason(err)}`);
    }
    return new SqliteDatabase(path, sqlite, options.durable !== false);
  }

  run<T>(work: WorkFactory<T>): Promise<T> {
    try {
      return Promise.resolve(this.runNow(work));
    } catch (err) {
      return Promise.reject(err);
    }
  }

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
    const r = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(r.changes), insertId: BigInt(r.lastInsertRowid) };
  }
}

function sqliteReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'SQLITE_NOTADB') return 'the file is not an SQLite database';
  if (e.code === 'SQLITE_CANTOPEN') return 'the file cannot be opened (does its directory exist and is it writable?)';
  if (e.code === 'SQLITE_READONLY') return 'the file is read-only';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') return 'a path component is not a directory';
  return e.message ?? String(err);
}
