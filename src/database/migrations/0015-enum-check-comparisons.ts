import { sql, type Kysely } from 'kysely';
import type { ColumnTypes, SchemaMigration } from '../column-types.js';

/**
 * A text enum's check as the migrations before wrote it (`oneOf`):
 * `check ("col" in ('a', 'b', …))`.
 */
const IN_LIST = /check \("(\w+)" in \(('[^']*'(?:, '[^']*')*)\)\)/g;

/** The same check as this migration writes it: `check ("col" = 'a' or "col" = 'b' or …)`. */
const COMPARISONS = /check \("(\w+)" = ('[^']*'(?: or "\1" = '[^']*')*)\)/g;

/** One quoted value of either list. */
const VALUE = /'[^']*'/g;

/** `tableSql` with each `in`-list check as comparisons. */
function comparisonsOf(tableSql: string): string {
  return tableSql.replace(IN_LIST, (_, column: string, list: string) => `check (${(list.match(VALUE) ?? []).map((v) => `"${column}" = ${v}`).join(' or ')})`);
}

/** `tableSql` with each check of comparisons as the `in` list it was (`down`). */
function inListsOf(tableSql: string): string {
  return tableSql.replace(COMPARISONS, (whole: string, column: string) => `check ("${column}" in (${(whole.match(VALUE) ?? []).join(', ')}))`);
}

/**
 * SQLite's documented way of changing a table's stored definition where no
 * row changes ("ALTER TABLE", "making other kinds of table schema
 * changes", the simple procedure for removing or adding CHECK constraints):
 * in the migration's transaction, with schema writes allowed, rewrite the
 * `CREATE TABLE` text in `sqlite_schema` and raise `schema_version` so
 * every connection reads the schema again. Returns the tables changed.
 */
async function rewriteTableSql(db: Kysely<unknown>, types: ColumnTypes, edit: (tableSql: string) => string): Promise<string[]> {
  if (!types.allowSchemaWrites) throw new Error('this SQLite connection cannot write its schema');
  const tables = (await sql<{ name: string; sql: string }>`select name, sql from sqlite_schema where type = 'table' and sql is not null`.execute(db)).rows;
  const changed = tables.map((t) => ({ name: t.name, sql: edit(t.sql) })).filter((t, i) => t.sql !== tables[i].sql);
  if (changed.length === 0) return [];
  const version = Number((await sql<{ schema_version: number }>`pragma schema_version`.execute(db)).rows[0].schema_version);
  types.allowSchemaWrites(true);
  try {
    await sql`pragma writable_schema = on`.execute(db);
    for (const t of changed) await sql`update sqlite_schema set sql = ${t.sql} where type = 'table' and name = ${t.name}`.execute(db);
    await sql.raw(`pragma schema_version = ${version + 1}`).execute(db);
  } finally {
    await sql`pragma writable_schema = off`.execute(db);
    types.allowSchemaWrites(false);
  }
  return changed.map((t) => t.name);
}

/**
 * SQLite only: every text enum check (`oneOf`, 0002–0013) from
 * `col in ('a', 'b', …)` to `col = 'a' or col = 'b' or …`, which accepts
 * exactly the same values (a null passes both, as null). SQLite evaluates
 * an `in` list of constants by building a small temporary index of it at
 * every run of a statement, and a stored report's inserts check four of
 * them (the report's channel, and each event's source, life and ack): they
 * cost about a seventh of the report's SQL (docs/perf.md "Eighth session:
 * a report's cost"). The comparisons cost next to nothing.
 *
 * No row changes, so a database with history is carried forward as it is;
 * the checks go on refusing what they refused. PostgreSQL evaluates an
 * `in` list without building anything, and keeps its checks as they are.
 */
export const migration: SchemaMigration = {
  name: '0015-enum-check-comparisons',
  async up(db, types) {
    if (types.engine === 'sqlite') await rewriteTableSql(db, types, comparisonsOf);
  },
  async down(db, types) {
    if (types.engine === 'sqlite') await rewriteTableSql(db, types, inListsOf);
  },
};
