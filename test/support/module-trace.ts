import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { register, type LoadHook } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { LineChild } from './line-child.js';

/**
 * Which modules a run of the built CLI loads: `modulesLoadedBy(args)` runs
 * `node --import <this file> dist/bin/hicom-sim.js …args`, and this file,
 * preloaded so, registers itself as a module loader hook that appends each
 * URL Node loads to the file named by MODULE_TRACE_FILE. (Node's loader
 * hooks run on a thread of their own; only the main thread registers.)
 * `modulesLoadedUntil` does the same for a command that runs until it is
 * stopped (`centre serve`): what it loaded by the time it printed its ready
 * line.
 */
const TRACE_ENV = 'MODULE_TRACE_FILE';

if (isMainThread && process.env[TRACE_ENV]) register(import.meta.url);

export const load: LoadHook = (url, context, nextLoad) => {
  const file = process.env[TRACE_ENV];
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
};

/** The URLs (file: and node:) that `hicom-sim …args` loads through the ESM loader, in order, and its exit status. */
export function modulesLoadedBy(cli: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string; urls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'module-trace-'));
  try {
    const trace = join(dir, 'trace');
    const r = spawnSync(process.execPath, ['--import', import.meta.url, cli, ...args], {
      encoding: 'utf8',
      input: '',
      env: { ...process.env, NODE_OPTIONS: '', [TRACE_ENV]: trace },
      timeout: 30_000,
    });
    let urls: string[] = [];
    try {
      urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    } catch {
      // nothing loaded through the hook: the run failed before its entry module
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, urls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The URLs `hicom-sim …args` has loaded when it prints a line matching `ready`; then SIGINT, and its exit code and every line it printed. */
export async function modulesLoadedUntil(cli: string, args: readonly string[], ready: RegExp): Promise<{ status: number | null; lines: string[]; urls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'module-trace-'));
  try {
    const trace = join(dir, 'trace');
    // env execs node (as test/support/lab-child.ts's cliCommand): no tap loader in NODE_OPTIONS, and the signal reaches node itself.
    const child = new LineChild('/usr/bin/env', ['-u', 'NODE_OPTIONS', `${TRACE_ENV}=${trace}`, process.execPath, '--import', import.meta.url, cli, ...args]);
    const printed: string[] = [];
    try {
      for (;;) {
        const line = await child.expect(/^/, 30_000);
        printed.push(line);
        if (ready.test(line)) break;
      }
    } catch (err) {
      child.proc.kill('SIGKILL');
      await child.exited;
      throw err;
    }
    const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    child.proc.kill('SIGINT');
    const status = await child.exited;
    return { status, lines: [...printed, ...child.lines], urls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
