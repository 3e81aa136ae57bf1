import type { Compilable, CompiledQuery, QueryResult } from 'kysely';

/**
 * A unit of work: a generator that yields the compiled Kysely queries of one
 * transaction and receives each one's result. The engine drives it — SQLite
 * synchronously through better-sqlite3, PostgreSQL asynchronously through
 * pg — so one piece of code serves both, and on SQLite a commit needs no turn
 * of the event loop (the modem receiver acknowledges inside virtual time).
 *
 * Write repository operations as `function* (…): Work<T>` and read results
 * with `const { rows } = yield* query(qb.selectFrom(…)…)`.
 */
export type Work<T> = Generator<CompiledQuery, T, QueryResult<unknown>>;

/** A fresh generator per attempt, so an engine can retry a transaction (PostgreSQL deadlock or serialization failure). */
export type WorkFactory<T> = () => Work<T>;

/** Yield one query, get its typed result back. */
export function* query<R>(q: Compilable<R> | CompiledQuery<R>): Generator<CompiledQuery, QueryResult<R>, QueryResult<unknown>> {
  const compiled = 'compile' in q ? q.compile() : q;
  return (yield compiled) as QueryResult<R>;
}

/** Rows changed by an insert, update or delete. */
export function affected(result: QueryResult<unknown>): number {
  return Number(result.numAffectedRows ?? 0n);
}

/** The id SQLite gave the row of a one-row insert (its last insert rowid; PostgreSQL has none: use `returning`). */
export function insertedId(result: QueryResult<unknown>): number {
  if (result.insertId === undefined) throw new Error('the insert gave no row id');
  return Number(result.insertId);
}

/**
 * Drive a unit of work synchronously with `execute`. A failing query ends
 * the work (its `finally` blocks run) and the error propagates: on
 * PostgreSQL a failed statement aborts the transaction anyway, so a unit of
 * work never catches database errors — it avoids them (`on conflict`).
 */
export function driveSync<T>(work: Work<T>, execute: (q: CompiledQuery) => QueryResult<unknown>): T {
  let step = work.next();
  try {
    while (!step.done) step = work.next(execute(step.value));
  } catch (err) {
    work.return(undefined as T);
    throw err;
  }
  return step.value;
}

/** Drive a unit of work, awaiting each query (errors as in `driveSync`). */
export async function driveAsync<T>(work: Work<T>, execute: (q: CompiledQuery) => Promise<QueryResult<unknown>>): Promise<T> {
  let step = work.next();
  try {
    while (!step.done) step = work.next(await execute(step.value));
  } catch (err) {
    work.return(undefined as T);
    throw err;
  }
  return step.value;
}
