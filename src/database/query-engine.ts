import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Whether a query builder speaks to PostgreSQL: for the few statements
 * written differently per engine because one round trip costs differently
 * (on PostgreSQL each statement is a round trip to the server, on SQLite a
 * call into the library), never for what is stored.
 */
export function isPostgres(qb: Kysely<Database>): boolean {
  return qb.getExecutor().adapter instanceof PostgresAdapter;
}
