import type { Kysely } from 'kysely';
import type { Engine } from './database-url.js';
import type { Database } from './schema.js';
import type { WorkFactory } from './work.js';

/**
 * The database port: everything above it talks to the centre's database
 * through this, whichever engine is behind it (`sqlite-database.ts`,
 * `postgres-database.ts`; `open-database.ts` picks one from `--db`).
 *
 * Contract:
 * - `run(work)` runs one unit of work (`work.ts`) in one transaction and
 *   resolves after its commit; on a thrown error it rolls back and rejects.
 * - `runNow` is the same, synchronously, on engines that can (SQLite): the
 *   result is committed when it returns. Undefined on PostgreSQL.
 * - `kysely` builds queries (for units of work) and runs single reads;
 *   it is never used to open a transaction of its own — on SQLite one
 *   connection is shared and an async transaction could interleave with
 *   `runNow`.
 * - `close()` waits for running work and frees the connections.
 */
export interface CentreDatabase {
  readonly engine: Engine;
  /** For messages: the SQLite path or the PostgreSQL URL without its password. */
  readonly description: string;
  readonly kysely: Kysely<Database>;
  run<T>(work: WorkFactory<T>): Promise<T>;
  readonly runNow: (<T>(work: WorkFactory<T>) => T) | undefined;
  /**
   * SQLite only: let this connection write its own stored schema
   * (`sqlite_schema`) or not, which SQLite's defensive mode forbids; for a
   * migration that changes a table's stored definition in a way no row
   * needs to change for (column-types.ts `ColumnTypes.allowSchemaWrites`).
   */
  readonly allowSchemaWrites?: (allowed: boolean) => void;
  close(): Promise<void>;
}

/** The database cannot be opened, or its schema is not one this program can use: one clear line for the user. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}
