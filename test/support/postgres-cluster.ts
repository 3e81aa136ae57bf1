import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './lab-child.js';

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a
 * directory under the OS tmpdir, a private free loopback port, password
 * authentication over TCP (so a wrong password can be tested), stopped and
 * removed at teardown — also when a test fails, and at process exit.
 *
 * As root the server runs as the `postgres` user (PostgreSQL refuses to run
 * as root), through runuser; otherwise as the current user. The binaries
 * come from Debian's packages (`/usr/lib/postgresql/<version>/bin`), which
 * `scripts/test-deps.sh` installs. If PostgreSQL cannot be started, the
 * promise rejects with the reason: a test must fail, never skip the engine.
 */
export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** URL of a database in this cluster. */
  url(database: string): string;
  /** A new empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stop the server (immediate) and remove its directory. Idempotent. */
  stop(): void;
  /** Stop the server but keep its data, to test a server that went away; `start()` brings it back. */
  pause(): void;
  start(): void;
}

export const POSTGRES_USER = 'postgres';
const PASSWORD = 'hicom-test-password';
const START_TIMEOUT_S = 60;

export interface ClusterOptions {
  /** fsync and synchronous commit on, as in production (benchmarks). Tests run without them: faster, and their data is thrown away. */
  durable?: boolean;
}

/** The newest installed PostgreSQL's bin directory. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`PostgreSQL server binaries not found under ${base}/*/bin (scripts/test-deps.sh installs the Debian package "postgresql")`);
  return join(base, versions[0], 'bin');
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const root = mkdtempSync(join(tmpdir(), 'hicom-pg-'));
  const data = join(root, 'data');
  const pwfile = join(root, 'pw');
  const logfile = join(root, 'server.log');
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (asRoot) {
    const pgUser = spawnSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' });
    if (pgUser.status !== 0) throw new Error(`running as root, but there is no "${POSTGRES_USER}" user to run PostgreSQL as (the Debian package creates it)`);
    const uid = Number(pgUser.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' }).stdout.trim());
    chownSync(root, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', POSTGRES_USER, '--', join(bin, tool), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: START_TIMEOUT_S * 1000, cwd: root });
    if (r.error || r.status !== 0) {
      const log = existsSync(logfile) ? readFileSync(logfile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`PostgreSQL ${tool} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).trim()}${log ? `\nserver log:\n${log}` : ''}`);
    }
  };
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    run('initdb', ['-D', data, '-U', POSTGRES_USER, '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync']);
  } catch (err) {
    remove();
    throw err;
  }
  const port = await freePort();
  const settings = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-c unix_socket_directories=${root}`,
    '-c max_connections=200',
    '-c shared_buffers=32MB',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  let running = false;
  const start = () => {
    run('pg_ctl', ['start', '-D', data, '-w', '-t', String(START_TIMEOUT_S), '-l', logfile, '-o', settings]);
    running = true;
  };
  const halt = () => {
    if (!running) return;
    running = false;
    try {
      run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      // already gone
    }
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    halt();
    remove();
    process.off('exit', stop);
  };
  try {
    start();
  } catch (err) {
    remove();
    throw err;
  }
  process.on('exit', stop);
  const url = (database: string) => `postgres://${POSTGRES_USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    host: '127.0.0.1',
    port,
    user: POSTGRES_USER,
    password: PASSWORD,
    url,
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    pause: halt,
    start,
  };
}
