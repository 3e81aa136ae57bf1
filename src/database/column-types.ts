import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from './database-url.js';

/**
 * The few column types whose spelling differs between the engines; every
 * migration builds its tables through these so one migration serves both.
 */
export interface ColumnTypes {
  readonly engine: Engine;
  /** Auto-increment primary key (integer/bigserial), read as a number. */
  addId<T extends string, C extends string>(table: CreateTableBuilder<T, C>, name?: string): CreateTableBuilder<T, C>;
  /** Raw bytes: blob / bytea. */
  readonly bytes: 'blob' | 'bytea';
  /**
   * SQLite only: let the migration's connection write `sqlite_schema`
   * (`CentreDatabase.allowSchemaWrites`), for SQLite's documented way of
   * changing a table's stored definition where no row changes (`rewriteTableSql`).
   */
  readonly allowSchemaWrites?: (allowed: boolean) => void;
}

export function columnTypes(engine: Engine, allowSchemaWrites?: (allowed: boolean) => void): ColumnTypes {
  return {
    engine,
    ...(allowSchemaWrites ? { allowSchemaWrites } : {}),
    bytes: engine === 'postgres' ? 'bytea' : 'blob',
    addId: (table, name = 'id') =>
      engine === 'postgres'
        ? table.addColumn(name, 'bigserial', (c: ColumnDefinitionBuilder) => c.primaryKey())
        : table.addColumn(name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()),
  };
}

/** A migration: one numbered file under `migrations/`, listed in `migrations/index.ts`. */
export interface SchemaMigration {
  /** `NNNN-what`, sorted by number; never renamed once released. */
  readonly name: string;
  up(db: Kysely<unknown>, types: ColumnTypes): Promise<void>;
  down(db: Kysely<unknown>, types: ColumnTypes): Promise<void>;
}

/**
 * `check (col in ('a', 'b'))` for a text enum column, as 0002–0013 wrote it.
 * On SQLite an `in` list costs a temporary index per statement run, and
 * 0015 rewrites these checks as comparisons (`col = 'a' or col = 'b'`):
 * write a new migration's enum check that way.
 */
export function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
