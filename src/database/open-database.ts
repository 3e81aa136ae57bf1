import type { CentreDatabase } from './centre-database.js';
import type { DatabaseLocation } from './database-url.js';
import { migrateSchema } from './migrate-schema.js';
import { PostgresDatabase } from './postgres-database.js';
import { SqliteDatabase } from './sqlite-database.js';
import { silentLogger, type Logger } from '../logger.js';

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** PostgreSQL connections in this process's pool. */
  poolSize?: number;
  /** SQLite: false skips the fsync of each commit — throwaway databases of tests and benchmarks only. */
  durable?: boolean;
}

/**
 * Open the centre's database at `location` and bring its schema up to date.
 * Every failure (bad path, server down, wrong password, newer schema) is a
 * DatabaseOpenError whose message is one line for the user.
 */
export async function openDatabase(location: DatabaseLocation, options: OpenDatabaseOptions = {}): Promise<CentreDatabase> {
  const logger = options.logger ?? silentLogger;
  const db = location.engine === 'sqlite' ? SqliteDatabase.open(location.path, { durable: options.durable }) : await PostgresDatabase.open(location.url, { logger, poolSize: options.poolSize });
  try {
    const applied = await migrateSchema(db);
    if (applied.length > 0) logger.child({ component: 'database' }).info({ database: db.description, applied }, 'schema migrated');
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
