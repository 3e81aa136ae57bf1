import type { Compilable, CompiledQuery } from 'kysely';

/** Marks a parameter slot while the query is compiled once; never reaches the database. */
const SLOT = '\u0000hicom-slot:';

/**
 * A query built and compiled once, then run with new parameters: the
 * intake's hot path runs a handful of statements per telegram, tens of
 * thousands of times a second, and Kysely's builder and compiler cost more
 * than SQLite takes to run them. The SQL is the same as Kysely would
 * compile each time (it is Kysely's), only the parameter values change; the
 * engines cache their prepared statements by SQL text.
 *
 * ```ts
 * const byId = prepareQuery<{ id: string }>((p) => qb.selectFrom('devices').selectAll().where('id', '=', p('id')));
 * yield* query(byId({ id: 'SD-1' }));
 * ```
 *
 * `p(name)` stands for one value (typed as any column value); a value given
 * literally in the builder stays as it is.
 */
export function prepareQuery<A extends Record<string, unknown>, R = unknown>(build: (p: (name: keyof A & string) => never) => Compilable<R>): (args: A) => CompiledQuery<R> {
  const compiled = build(((name: string) => `${SLOT}${name}`) as (name: keyof A & string) => never).compile();
  const slots = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(SLOT) ? v.slice(SLOT.length) : undefined));
  const fixed = compiled.parameters;
  return (args: A) => {
    const parameters = slots.map((name, i) => {
      if (name === undefined) return fixed[i];
      if (!(name in args)) throw new Error(`prepared query: no value for ${name}`);
      return args[name];
    });
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters } as CompiledQuery<R>;
  };
}

const perDatabase = new WeakMap<object, Map<string, unknown>>();

/** One set of prepared queries per query builder (per database), made on first use. */
export function preparedFor<T>(qb: object, name: string, make: () => T): T {
  let m = perDatabase.get(qb);
  if (!m) perDatabase.set(qb, (m = new Map()));
  if (!m.has(name)) m.set(name, make());
  return m.get(name) as T;
}
