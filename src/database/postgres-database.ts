import type pg from 'pg';
import { Kysely, PostgresDialect, type CompiledQuery, type QueryResult } from 'kysely';
import { DatabaseOpenError, type CentreDatabase } from './centre-database.js';
import { redactUrl } from './database-url.js';
import type { Database } from './schema.js';
import { driveAsync, type WorkFactory } from './work.js';
import { silentLogger, type Logger } from '../logger.js';

/** Connections per process: intake batches, API reads and the listener share them. */
export const POSTGRES_POOL_SIZE = 10;
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/** A transaction that lost a deadlock (40P01) or a serialization conflict (40001) is run again, this often at most. */
export const POSTGRES_MAX_ATTEMPTS = 5;
const RETRYABLE = new Set(['40P01', '40001']);

/** PostgreSQL type OIDs (pg_type.dat) whose text form we parse ourselves. */
const INT8_OID = 20;

/**
 * bigint columns hold times in ms and counters: numbers, like SQLite gives
 * them. Values beyond 2^53 (only the replay bitmap, which is read as text)
 * stay strings rather than lose bits.
 */
function typeParsers(defaults: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID && format !== 'binary') {
        return (text: string): number | string => {
          const n = Number(text);
          return Number.isSafeInteger(n) ? n : text;
        };
      }
      return defaults.getTypeParser(oid, format);
    },
  } as pg.CustomTypesConfig;
}

/** The PostgreSQL engine: a connection pool, asynchronous transactions. */
export class PostgresDatabase implements CentreDatabase {
  readonly engine = 'postgres' as const;
  readonly description: string;
  readonly kysely: Kysely<Database>;
  readonly runNow = undefined;
  readonly pool: pg.Pool;
  readonly #log: Logger;
  readonly #url: string;
  readonly #pg: typeof pg;

  private constructor(url: string, pool: pg.Pool, logger: Logger, pgModule: typeof pg) {
    this.description = redactUrl(url);
    this.#url = url;
    this.#pg = pgModule;
    this.pool = pool;
    this.#log = logger.child({ component: 'postgres' });
    // An idle connection that dies (server restart) must not crash the process; the pool replaces it.
    pool.on('error', (err) => this.#log.warn({ err: err.message }, 'idle PostgreSQL connection lost'));
    this.kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  /** Connect and check the server answers. Throws DatabaseOpenError with one clear line. */
  static async open(url: string, options: { logger?: Logger; poolSize?: number } = {}): Promise<PostgresDatabase> {
    // pg loads with the first PostgreSQL database, so a process on SQLite never pays for it (issue 15, CLI start).
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? POSTGRES_POOL_SIZE, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS, types: typeParsers(pg.types) });
    pool.on('error', () => undefined); // until the engine's own handler is attached
    try {
      await pool.query('select 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new DatabaseOpenError(`cannot open PostgreSQL database ${redactUrl(url)}: ${postgresReason(err)}`);
    }
    return new PostgresDatabase(url, pool, options.logger ?? silentLogger, pg);
  }

  async run<T>(work: WorkFactory<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // A connection that dies while checked out (server stopped, network gone) emits 'error' on the
      // client, not the pool: without a listener that would end the process. The query in flight fails too.
      const lost = (err: Error) => {
        broken = err;
        this.#log.warn({ err: err.message }, 'PostgreSQL connection lost during a transaction');
      };
      client.on('error', lost);
      try {
        await client.query('begin');
        const result = await driveAsync(work(), (q) => execute(client, q));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch((e: Error) => {
          broken = e;
        });
        const code = (err as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < POSTGRES_MAX_ATTEMPTS) {
          this.#log.debug({ code, attempt }, 'transaction retried');
          continue;
        }
        throw err;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    }
  }

  /** A connection of its own, outside the pool (LISTEN holds one for as long as it listens). */
  newClient(): pg.Client {
    return new this.#pg.Client({ connectionString: this.#url, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS, types: typeParsers(this.#pg.types) });
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

async function execute(client: pg.PoolClient, q: CompiledQuery): Promise<QueryResult<unknown>> {
  const r = await client.query({ text: q.sql, values: q.parameters as unknown[] });
  const changes = r.command === 'INSERT' || r.command === 'UPDATE' || r.command === 'DELETE' || r.command === 'MERGE';
  return changes ? { rows: r.rows, numAffectedRows: BigInt(r.rowCount ?? 0) } : { rows: r.rows };
}

/** What went wrong, in words a user can act on. */
export function postgresReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening on that host and port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '28P01':
      return 'password authentication failed (wrong user name or password)';
    case '28000':
      return `access refused by the server: ${e.message}`;
    case '3D000':
      return `${e.message} (create it first: createdb NAME)`;
    case '57P03':
      return 'the server is starting up or shutting down';
    default:
      if (/timeout/i.test(e.message ?? '')) return 'connection timed out';
      return e.message ?? String(err);
  }
}
