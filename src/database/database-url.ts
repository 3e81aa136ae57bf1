import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where the centre's database lives, as `--db` names it:
 *
 *   sqlite:PATH              one SQLite file (relative paths from the working directory)
 *   postgres://USER:PASS@HOST:PORT/DB   (also postgresql://…) a PostgreSQL server
 *
 * Without `--db` the centre uses `sqlite:<state dir>/centre/centre.db`.
 */
export type DatabaseLocation =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; url: string };

export type Engine = DatabaseLocation['engine'];

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/** The embedded default: one SQLite file under the state directory. */
export function defaultDatabasePath(stateDir: string): string {
  return join(stateDir, 'centre', 'centre.db');
}

export function parseDatabaseUrl(spec: string, cwd = process.cwd()): DatabaseLocation {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new DatabaseUrlError('--db sqlite: needs a file path, e.g. sqlite:./centre.db');
    if (path.startsWith('//')) throw new DatabaseUrlError(`--db ${spec}: write sqlite:PATH (a file path), not a URL with //`);
    return { engine: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new DatabaseUrlError(`--db ${redactUrl(spec)}: not a valid URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)`);
    }
    if (url.hostname === '' && !url.searchParams.has('host')) throw new DatabaseUrlError(`--db ${redactUrl(spec)}: no host (postgres://USER:PASSWORD@HOST:PORT/DATABASE)`);
    if (url.pathname.length <= 1) throw new DatabaseUrlError(`--db ${redactUrl(spec)}: no database name (postgres://USER:PASSWORD@HOST:PORT/DATABASE)`);
    return { engine: 'postgres', url: spec };
  }
  throw new DatabaseUrlError(`--db ${redactUrl(spec)}: not sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
}

/** The location for messages and logs: a PostgreSQL password never appears. */
export function describeLocation(location: DatabaseLocation): string {
  return location.engine === 'sqlite' ? `sqlite:${location.path}` : redactUrl(location.url);
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
