import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SessionClient } from '../../src/clients/session-client.js';
import { LineChild } from './line-child.js';

/**
 * The built CLI, spawned as a child process for end-to-end tests (run
 * `npx tsc -p .` first; `npm test` does it in `pretest`).
 */
export const CLI = resolve('dist/bin/hicom-sim.js');

/**
 * The command line that runs the CLI as a user runs it: without the
 * `NODE_OPTIONS` tap gives every child (its process-info loader, which
 * would triple the start-up of each CLI run and is no part of the program).
 * `env` execs node, so signals and the pid are node's own.
 */
export function cliCommand(args: readonly string[]): [string, string[]] {
  return ['/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, ...args]];
}

/** The line `hicom-sim lab` prints once every port listens. */
export const LAB_READY = /^Ctrl-C stops the lab\.$/;

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A temp directory removed in teardown. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'hicom-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface LabFiles {
  dir: string;
  configPath: string;
  stateDir: string;
  /** pbx.json of the one PBX. */
  statePath: string;
  port: number;
  /** TCP ports of Assistant T terminals, by station number (e.g. "100" on UP0E-1). */
  stationPorts?: Record<string, number>;
  /** TCP ports of station keypad lines, by station number. */
  keypadPorts?: Record<string, number>;
  ptyPath?: string;
  /** TCP port of the technician's analog modem (number TECH_MODEM_NUMBER), when asked for. */
  modemPort?: number;
}

export const LAB_PBX_ID = 'HSIM-E2E1';
/** The lab PBX's IMOD as a technician's modem dials it: trunk 0301234, extension 791. */
export const LAB_IMOD_NUMBER = '0301234791';
/** Number of the technician's modem of `writeLabConfig({ modem: true })`. */
export const TECH_MODEM_NUMBER = '0897000';

/**
 * Write a one-PBX lab configuration (no modems) into `dir`: a TCP admin port
 * on a free loopback port (the V.24 service port), Assistant T terminal ports
 * for `stations`, and with `pty` a socat virtual serial port.
 */
export async function writeLabConfig(dir: string, options: { pty?: boolean; stations?: string[]; keypads?: string[]; variant?: 'hicom' | 'octopus-e'; modem?: boolean } = {}): Promise<LabFiles> {
  const port = await freePort();
  const stateDir = join(dir, 'state');
  const ptyPath = options.pty ? join(dir, 'admin-pty') : undefined;
  const adminPorts: Array<{ bind: string; station?: string }> = [{ bind: `tcp:127.0.0.1:${port}` }];
  if (ptyPath) adminPorts.push({ bind: `pty:${ptyPath}` });
  const stationPorts: Record<string, number> = {};
  for (const station of options.stations ?? []) {
    stationPorts[station] = await freePort();
    adminPorts.push({ bind: `tcp:127.0.0.1:${stationPorts[station]}`, station });
  }
  const keypadPorts: Record<string, number> = {};
  for (const station of options.keypads ?? []) keypadPorts[station] = await freePort();
  const keypads = Object.entries(keypadPorts).map(([station, p]) => ({ station, bind: `tcp:127.0.0.1:${p}` }));
  const modemPort = options.modem ? await freePort() : undefined;
  const config = {
    stateDir,
    pacing: false,
    pbxs: [{ id: LAB_PBX_ID, type: 'OfficePro', trunks: ['0301234'], adminPorts, ...(keypads.length ? { keypads } : {}), ...(options.variant ? { variant: options.variant } : {}) }],
    modems: modemPort === undefined ? [] : [{ name: 'tech', number: TECH_MODEM_NUMBER, bind: `tcp:127.0.0.1:${modemPort}`, profile: 'analog' }],
  };
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify(config));
  return { dir, configPath, stateDir, statePath: join(stateDir, LAB_PBX_ID, 'pbx.json'), port, stationPorts, keypadPorts, ptyPath, modemPort };
}

export interface RunningLab {
  child: LineChild;
  files: LabFiles;
  /** Everything the lab printed up to its ready line: where to connect. */
  banner: string;
  connect(): Promise<SessionClient>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start `hicom-sim lab --config <files.configPath> --log-level warn` (plus
 * `extraArgs`, e.g. `--fault`) and wait for its ready line. The child is killed in teardown whatever happens.
 */
export async function startLab(t: { teardown(fn: () => void | Promise<void>): void }, files: LabFiles, extraArgs: string[] = []): Promise<RunningLab> {
  const { child, banner } = await spawnLab(t, ['--config', files.configPath, '--log-level', 'warn', ...extraArgs]);
  return {
    child,
    files,
    banner,
    connect: () => SessionClient.connectTcp('127.0.0.1', files.port),
    stop: async () => {
      child.proc.kill('SIGTERM');
      return child.exited;
    },
  };
}

/**
 * Spawn `hicom-sim lab ARGS` and wait for its ready line; returns the child
 * and what it printed up to there. Killed in teardown whatever happens.
 */
export async function spawnLab(t: { teardown(fn: () => void | Promise<void>): void }, args: string[]): Promise<{ child: LineChild; banner: string }> {
  const child = new LineChild(...cliCommand(['lab', ...args]));
  let banner = '';
  const collect = (chunk: Buffer): void => {
    banner += chunk.toString('utf8');
  };
  child.proc.stdout!.on('data', collect);
  t.teardown(async () => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  });
  await child.expect(LAB_READY, 20_000);
  child.proc.stdout!.off('data', collect);
  return { child, banner };
}

/**
 * The first login on a delivered PBX (SERVICE / 31994): identity and the new
 * password twice; the session is then switched to machine mode.
 */
export async function firstLoginOverTcp(client: SessionClient, name: string, password: string): Promise<string> {
  await client.expect('User: ');
  client.write('SERVICE\r');
  await client.expect('Password: ');
  client.write('31994\r');
  const intro = await client.expect('Identity (new user name): ');
  client.write(`${name}\r`);
  await client.expect('New password: ');
  client.write(`${password}\r`);
  await client.expect('Repeat new password: ');
  client.write(`${password}\r`);
  const reply = await client.reply();
  if (!reply.ok) throw new Error(`first login failed: ${reply.message}`);
  await client.run('mode machine');
  return `${intro}\n${reply.lines.join('\n')}`;
}

/** Run the CLI synchronously (stdin closed unless `input`). */
export function runCli(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(...cliCommand(args), {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/**
 * Run the CLI without blocking the event loop (a lab or many CLIs run
 * alongside): stdin closed unless `input`; killed with SIGKILL after
 * `timeoutMs` (then `signal` is set), so a hang fails a test instead of stalling it.
 */
export function runCliAsync(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(...cliCommand(args), {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // the CLI may exit before reading it all
      child.stdin!.end(options.input);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
