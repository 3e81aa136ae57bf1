/**
 * `hicom-sim centre serve` as a child process, for end-to-end and fault
 * tests: ephemeral UDP and HTTP ports, the addresses read from what it
 * prints, API calls with a token made by `hicom-sim centre token add`.
 */
import type { Test } from 'tap';
import { CLI, runCliAsync } from './lab-child.js';
import { LineChild } from './line-child.js';

export interface CentreChild {
  child: LineChild;
  udp: { host: string; port: number };
  http: string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

export interface CentreChildOptions {
  db: string;
  state: string;
  /** false: `--no-udp` (a portal-only process). */
  udp?: string | false;
  http?: string | false;
  extra?: string[];
  env?: Record<string, string>;
}

export async function startCentre(t: Test, o: CentreChildOptions): Promise<CentreChild> {
  const args = [CLI, 'centre', 'serve', '--db', o.db, '-s', o.state, ...(o.udp === false ? ['--no-udp'] : ['--udp', o.udp ?? '127.0.0.1:0']), ...(o.http === false ? ['--no-http'] : ['--http', o.http ?? '127.0.0.1:0']), '--log-level', 'warn', ...(o.extra ?? [])];
  const child = new LineChild(process.execPath, args);
  t.teardown(async () => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  });
  const m = o.udp === false ? ['', '', '0'] : /udp (\S+):(\d+)$/.exec(await child.expect(/^UDP intake: udp /, 30_000))!;
  let http = '';
  if (o.http !== false) http = /(https?:\/\/\S+\/api\/v1)/.exec(await child.expect(/^HTTP API: /, 30_000))![1];
  await child.expect(/^Ctrl-C stops the centre\.$/, 30_000);
  return {
    child,
    udp: { host: m[1], port: Number(m[2]) },
    http,
    async stop() {
      child.proc.kill('SIGTERM');
      return child.exited;
    },
    async kill() {
      child.proc.kill('SIGKILL');
      await child.exited;
    },
  };
}

/** A token made by the CLI, as a script's operator would. */
export async function cliToken(db: string, state: string, name: string, rights = 'read,operate,admin'): Promise<string> {
  const r = await runCliAsync(['centre', 'token', 'add', name, '--rights', rights, '--db', db, '-s', state, '--log-level', 'warn']);
  if (r.status !== 0) throw new Error(`token add failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A device registered by the CLI; resolves with its key. */
export async function cliDevice(db: string, state: string, id: string, kind = 'key-depot', extra: string[] = []): Promise<Buffer> {
  const r = await runCliAsync(['centre', 'device', 'add', id, '--kind', kind, '--db', db, '-s', state, '--log-level', 'warn', ...extra]);
  if (r.status !== 0) throw new Error(`device add failed: ${r.stderr}`);
  return Buffer.from(r.stdout.trim(), 'base64');
}

/** fetch against the API with a bearer token; JSON both ways. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}
