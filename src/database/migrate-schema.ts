import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { DatabaseOpenError, type CentreDatabase } from './centre-database.js';
import { columnTypes } from './column-types.js';
import type { Engine } from './database-url.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, SCHEMA_MIGRATIONS } from './schema-migrations.js';

/** The program's migrations for Kysely's Migrator, bound to the engine's column types (and, on SQLite, its schema writes). */
export function migrationProvider(engine: Engine, allowSchemaWrites?: (allowed: boolean) => void): MigrationProvider {
  const types = columnTypes(engine, allowSchemaWrites);
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const m of SCHEMA_MIGRATIONS) out[m.name] = { up: (db: Kysely<unknown>) => m.up(db, types), down: (db: Kysely<unknown>) => m.down(db, types) };
      return out;
    },
  };
}

export function schemaMigrator(db: CentreDatabase): Migrator {
  return new Migrator({ db: db.kysely, provider: migrationProvider(db.engine, db.allowSchemaWrites), migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE });
}

/**
 * Bring the schema up to this program's newest migration (run at every
 * start; several processes starting at once take Kysely's migration lock in
 * turn). A database that has migrations this program does not know was
 * written by a newer program: it is refused, not touched.
 */
export async function migrateSchema(db: CentreDatabase): Promise<string[]> {
  const applied = await appliedMigrations(db);
  const known = new Set(SCHEMA_MIGRATIONS.map((m) => m.name));
  const unknown = applied.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const newest = SCHEMA_MIGRATIONS[SCHEMA_MIGRATIONS.length - 1].name;
    throw new DatabaseOpenError(`database ${db.description} has a newer schema than this program (it has migration ${unknown[unknown.length - 1]}, this program knows up to ${newest}): use a newer hicom-sim`);
  }
  const { error, results } = await schemaMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new DatabaseOpenError(`database ${db.description}: migration ${failed ?? '(none)'} failed: ${(error as Error).message}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}

/** Names of the migrations recorded in the database, oldest first (none for a new database). */
async function appliedMigrations(db: CentreDatabase): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db.kysely);
  return rows.rows.map((r) => r.name);
}
