import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spread, timedRun } from '../test/support/process-timing.js';
import { median } from '../test/support/sample-stats.js';

/**
 * What a process start of the centre's commands costs (issue 15, CLI start;
 * the CI time of every test that starts them), whole process against whole
 * process: this build against another (e.g. the session's start, built) in
 * the same rounds, beside a bare `node -e 0` and `hicom-sim --version`. Each
 * round runs every command of both builds in turn, so a load change on the
 * shared machine hits both alike; medians and the spread (min–max) of the
 * wall time, and the CPU time (user + system) of each process.
 *   - `centre serve --no-http` (the intake alone, as the SIGKILL tests start
 *     it) and `centre serve` with HTTP and the portal: to its ready line,
 *     CPU from /proc/PID/stat at that line; then SIGINT.
 *   - `centre device add` (a new device each run) and `centre status`: to
 *     their end, CPU of the reaped child.
 * Each build has its own state directory, migrated before the rounds, so no
 * start migrates.
 * Run: npx tsc -p . && node dist/bench/centre-start.js [rounds] [other/dist/bin/hicom-sim.js]
 */
const ROUNDS = Number(process.argv[2] ?? 11);
const OTHER = process.argv[3];
/** Each process is killed after this; the whole run ends within (ROUNDS + 1) × processes per round × it. */
const SPAWN_TIMEOUT_MS = 20_000;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../bin/hicom-sim.js');
const READY = 'Ctrl-C stops the centre.\n';
/** Clock ticks per second of /proc/PID/stat's times (USER_HZ). */
const CLOCK_TICKS_PER_S = 100;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
type Run = { ms: number; cpuMs: number };
/** The child's environment without tap's or anyone's NODE_OPTIONS: the program as a user runs it. */
const env = { ...process.env, NODE_OPTIONS: '' };

/** utime + stime of a live process, in ms (fields 14 and 15 of /proc/PID/stat). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** Start `centre serve …args`, time it to its ready line, then SIGINT and wait for its end. */
function serveToReady(cli: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'centre', 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let run: Run | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (run || !out.includes(READY)) return;
      run = { ms: performance.now() - t0, cpuMs: cpuOf(child.pid!) };
      child.kill('SIGINT');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (run && code === 0) resolve(run);
      else reject(new Error(`${cli} centre serve ${args.join(' ')}: exit ${code} before or after its ready line: ${err.trim() || out.trim()}`));
    });
  });
}

/** `node …args` to its end; through env, which drops NODE_OPTIONS (the same exec for the baseline as for the commands). */
function toEnd(args: readonly string[]): Run {
  const r = timedRun('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, ...args], SPAWN_TIMEOUT_MS);
  return { ms: r.ms, cpuMs: r.cpuMs ?? NaN };
}

interface Build {
  label: string;
  cli: string;
  state: string;
  devices: number;
}

const builds: Build[] = [{ label: 'this build', cli: CLI, state: '', devices: 0 }, ...(OTHER ? [{ label: 'other build', cli: OTHER, state: '', devices: 0 }] : [])];
const commands: Array<{ name: string; run: (b: Build) => Promise<Run> | Run }> = [
  { name: 'hicom-sim --version', run: (b) => toEnd([b.cli, '--version']) },
  { name: 'centre serve --no-http (to ready)', run: (b) => serveToReady(b.cli, ['-s', b.state, '--udp', '127.0.0.1:0', '--no-http', '--no-supervision', '--log-level', 'warn']) },
  { name: 'centre serve, HTTP + portal (to ready)', run: (b) => serveToReady(b.cli, ['-s', b.state, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--log-level', 'warn']) },
  { name: 'centre device add', run: (b) => toEnd([b.cli, 'centre', 'device', 'add', `D-${++b.devices}`, '--kind', 'key-depot', '-s', b.state]) },
  { name: 'centre status', run: (b) => toEnd([b.cli, 'centre', 'status', '-s', b.state]) },
];

const dirs: string[] = [];
try {
  for (const b of builds) {
    b.state = mkdtempSync(join(tmpdir(), 'centre-start-'));
    dirs.push(b.state);
    // Migrated here, so that no timed start migrates.
    const r = spawnSync(process.execPath, [b.cli, 'centre', 'device', 'add', 'D-0', '--kind', 'key-depot', '-s', b.state], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${b.cli}: centre device add failed: ${r.stderr}`);
  }
  const perRound = 1 + commands.length * builds.length;
  process.stdout.write(`centre-start: ${ROUNDS} rounds of node -e 0 and ${commands.map((c) => c.name).join(' / ')}${OTHER ? `, each of this build and ${OTHER} in turn` : ''}; ends within ${((ROUNDS + 1) * perRound * SPAWN_TIMEOUT_MS) / 1000} s\n`);
  process.stdout.write(`load average at start: ${load()}\n`);
  const node: Run[] = [];
  const runs = commands.map(() => builds.map((): Run[] => []));
  for (let round = 0; round <= ROUNDS; round++) {
    const keep = round > 0; // round 0 warms the page cache for every file of both builds
    const n = toEnd(['-e', '0']);
    if (keep) node.push(n);
    for (const [c, command] of commands.entries()) {
      // Which build goes first alternates from round to round.
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const b of order) {
        const r = await command.run(b);
        if (keep) runs[c][builds.indexOf(b)].push(r);
      }
    }
  }
  const ms = (xs: Run[]): number[] => xs.map((r) => r.ms);
  const cpuMedian = (xs: Run[]): number => median(xs.map((r) => r.cpuMs));
  const base = median(ms(node));
  const baseCpu = cpuMedian(node);
  process.stdout.write(`${'node -e 0 (baseline)'.padEnd(52)}wall ${spread(ms(node), 1)}  CPU median ${baseCpu.toFixed(0)} ms\n`);
  for (const [c, command] of commands.entries()) {
    for (const [i, b] of builds.entries()) {
      const xs = runs[c][i];
      const against = i > 0 ? '' : OTHER ? `  = ${(median(ms(xs)) / median(ms(runs[c][1]))).toFixed(2)}× the other's wall, ${(cpuMedian(xs) / cpuMedian(runs[c][1])).toFixed(2)}× its CPU` : '';
      process.stdout.write(`${`${command.name}, ${b.label}`.padEnd(52)}wall ${spread(ms(xs), 1)} = ${(median(ms(xs)) / base).toFixed(2)}× node  CPU median ${cpuMedian(xs).toFixed(0)} ms = ${(cpuMedian(xs) / baseCpu).toFixed(2)}×${against}\n`);
    }
  }
  process.stdout.write(`load average at end: ${load()}\n`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
