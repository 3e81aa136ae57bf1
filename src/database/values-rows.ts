import { sql, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import { preparedFor } from './prepared-query.js';
import type { Database } from './schema.js';

/** Column types a `values` row can carry (what both engines spell the same). */
export type ValuesType = 'text' | 'bigint';

export type RowValue = string | number | null;

/**
 * `with NAME(col, …) as (values (…), (…))`, to start a multi-row statement
 * both engines take (`update … from NAME`, `insert … select … from NAME`):
 * SQLite names the columns of a bare `values` list column1, column2, … and
 * has no `as v(a, b)`, but both take a common table expression's column
 * list. Each value is cast to its column's type, since PostgreSQL types an
 * untyped parameter in `values` as text (and then refuses `bigint = text`),
 * while SQLite's casts only give the value its affinity. A null stays null.
 */
export function withValues(name: string, columns: ReadonlyArray<readonly [string, ValuesType]>, rows: ReadonlyArray<ReadonlyArray<RowValue>>): RawBuilder<unknown> {
  const list = sql.join(rows.map((row) => sql`(${sql.join(row.map((v, c) => sql`cast(${v} as ${sql.raw(columns[c][1])})`))})`));
  return sql`with ${sql.id(name)}(${sql.join(columns.map(([c]) => sql.id(c)))}) as (values ${list})`;
}

/**
 * A statement over a list of rows, compiled once per number of rows and
 * database, then run with new values: Kysely compiles a statement of a
 * hundred rows in more time than SQLite takes to run it, and an engine
 * caches its prepared statements by SQL text. `build` must make the rows'
 * values its only parameters, row after row (as `withValues` and an
 * `in (…)` list of them do); the same SQL then takes the rows' values one
 * after the other.
 */
export function rowsStatement<R>(qb: Kysely<Database>, name: string, width: number, build: (rows: ReadonlyArray<ReadonlyArray<RowValue>>) => RawBuilder<R>): (rows: ReadonlyArray<ReadonlyArray<RowValue>>) => CompiledQuery<R> {
  const bySize = preparedFor(qb, `rows:${name}`, () => new Map<number, CompiledQuery<R>>());
  return (rows) => {
    let compiled = bySize.get(rows.length);
    if (!compiled) {
      compiled = build(rows.map(() => new Array<RowValue>(width).fill(null))).compile(qb);
      if (compiled.parameters.length !== rows.length * width) throw new Error(`rows statement ${name}: ${compiled.parameters.length} parameters for ${rows.length} rows of ${width}`);
      bySize.set(rows.length, compiled);
    }
    // Named fields, as prepareQuery builds them: a spread would give each statement a hidden class of its own.
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters: flatten(rows) };
  };
}

/** `rows.flat()`, which costs V8 about ten times this loop (~0.8 µs for a report's two rows of five). */
function flatten(rows: ReadonlyArray<ReadonlyArray<RowValue>>): RowValue[] {
  const out: RowValue[] = [];
  for (const row of rows) for (const v of row) out.push(v);
  return out;
}
