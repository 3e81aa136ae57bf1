import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { validateConfig, type LabConfig } from '../src/lab/config.js';
import { Lab } from '../src/lab/lab.js';
import { RealClock } from '../src/adapters/real-clock.js';
import { echoPump, expectText } from '../test/support/echo-pump.js';
import { median, percentile } from '../test/support/sample-stats.js';
import { openTty } from '../test/support/tty-client.js';
import { bound } from './support/bench-bound.js';

/**
 * Modem I/O through real file descriptors, in real time (docs/perf.md
 * "Modem I/O"). In-process against in-process: the lab, the echo and the
 * terminal all run in this process, in the baseline and in the modem run.
 * - unpaced throughput over a pty: terminal → pty → technician modem → echo
 *   test line → back, against the same bytes through a bare socat pty pair
 *   whose other end this process echoes; ROUNDS rounds alternating which
 *   goes first, medians and spreads (the ratio is what hicom-sim costs on
 *   top of socat);
 * - the same over TCP (raw): terminal → TCP → modem → echo line → back,
 *   against a bare TCP echo in this process;
 * - AT round trip over the pty (median, p99);
 * - 256 concurrent modem sessions over TCP, each connected to the echo line
 *   (all must work; memory per session);
 * - pacing error of a 5 s transfer at 14400 bit/s with those sessions up.
 * The terminal opens the pty as a terminal program does (test/support/tty-client.ts).
 */
const THROUGHPUT_BYTES = Number(process.env.MODEM_IO_BYTES ?? 8 * 1024 * 1024);
/** Bytes in flight at most (sent, not yet echoed), the same in every run. */
const WINDOW = 64 * 1024;
const ROUNDS = Number(process.env.MODEM_IO_ROUNDS ?? 5);
const AT_SAMPLES = 2000;
const SESSIONS = 256;
/** A run that gets nothing back for this long has stalled: the benchmark fails instead of hanging. */
const STALL_MS = 15_000;
const ECHO_NUMBER = '0800100';
/** Start-up, the AT samples, the 256 sessions and the pacing run, generously. */
const FIXED_BOUND_S = 150;
/** Each throughput run at no less than 0.5 MiB/s. */
const RUN_BOUND_S = Math.ceil(THROUGHPUT_BYTES / (512 * 1024));
const BOUND_S = FIXED_BOUND_S + 4 * ROUNDS * RUN_BOUND_S;

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(path)) throw new Error(`${path} did not appear`);
}

const mib = (r: number): string => (r / 1024 / 1024).toFixed(2);

interface Run {
  bytesPerSecond: number;
  /** CPU time of this process (user + system) per MiB echoed: steadier than the rate on a shared machine. */
  cpuUsPerMiB: number;
}

async function pump(stream: Duplex): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const r = await echoPump(stream, { total: THROUGHPUT_BYTES, window: WINDOW, stallMs: STALL_MS });
  const cpu = process.cpuUsage(cpu0);
  return { bytesPerSecond: r.bytesPerSecond, cpuUsPerMiB: (cpu.user + cpu.system) / (THROUGHPUT_BYTES / 1024 / 1024) };
}

interface Side {
  stream: Duplex;
  close(): Promise<void>;
}

/** A bare socat pty pair; this process echoes the far end. */
async function socatPair(dir: string): Promise<Side> {
  const a = join(dir, 'bare-a');
  const b = join(dir, 'bare-b');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  await waitFor(a);
  await waitFor(b);
  const near = openTty(a);
  const far = openTty(b);
  far.on('data', (d: Buffer) => far.write(d));
  return {
    stream: near,
    close: async () => {
      near.destroy();
      far.destroy();
      socat.kill();
    },
  };
}

/** A bare TCP echo on loopback, served by this process. */
async function tcpEcho(): Promise<Side> {
  const server: Server = createServer((s) => s.on('data', (d: Buffer) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const socket = await tcpConnect(typeof addr === 'object' && addr ? addr.port : 0);
  return {
    stream: socket,
    close: async () => {
      socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

function labConfig(dir: string, pacing: boolean, modems: Array<{ name: string; number: string; bind: string }>): LabConfig {
  return validateConfig({ stateDir: join(dir, `state-${pacing}`), pacing, pbxs: [{ id: 'BENCH', trunks: ['0301234'] }], modems }, dir);
}

function tcpPortOf(lab: Lab, name: string): number {
  return Number(/:(\d+)$/.exec(lab.modems.get(name)!.provider!.description)![1]);
}

/** A modem's terminal, echo off, dialled to the echo line. */
async function dialEcho(stream: Duplex): Promise<void> {
  stream.write('ATE0\r');
  await expectText(stream, 'OK\r\n', 10_000);
  stream.write(`ATDT${ECHO_NUMBER}\r`);
  await expectText(stream, 'CONNECT', 30_000);
  await new Promise((r) => setTimeout(r, 50));
}

async function atRoundTrips(stream: Duplex): Promise<{ medianUs: number; p99Us: number }> {
  stream.write('ATE0\r');
  await expectText(stream, 'OK\r\n', 10_000);
  const times: number[] = [];
  for (let i = 0; i < AT_SAMPLES; i++) {
    const t0 = performance.now();
    stream.write('AT\r');
    await expectText(stream, 'OK\r\n', 10_000);
    times.push((performance.now() - t0) * 1000);
  }
  return { medianUs: median(times), p99Us: percentile(times, 0.99) };
}

interface Comparison {
  base: Run[];
  sim: Run[];
}

/** ROUNDS rounds over the same two live paths, alternating which goes first. */
async function alternate(base: Duplex, sim: Duplex): Promise<Comparison> {
  const out: Comparison = { base: [], sim: [] };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      out.base.push(await pump(base));
      out.sim.push(await pump(sim));
    } else {
      out.sim.push(await pump(sim));
      out.base.push(await pump(base));
    }
  }
  return out;
}

function report(title: string, baseLabel: string, simLabel: string, c: Comparison): void {
  const rates = (runs: Run[]): number[] => runs.map((r) => r.bytesPerSecond);
  const cpu = (runs: Run[]): string => `CPU ${median(runs.map((r) => r.cpuUsPerMiB)).toFixed(0)} µs/MiB`;
  const line = (label: string, runs: Run[]): string => {
    const v = rates(runs);
    return `  ${label.padEnd(44)} ${mib(median(v)).padStart(7)} MiB/s  (${mib(Math.min(...v))}–${mib(Math.max(...v))}), ${cpu(runs)}\n`;
  };
  const ratios = c.sim.map((s, i) => s.bytesPerSecond / c.base[i].bytesPerSecond);
  process.stdout.write(`${title} (${THROUGHPUT_BYTES / 1024 / 1024} MiB echoed per run, ${WINDOW / 1024} KiB window, ${ROUNDS} alternating rounds; median, spread min–max)\n`);
  process.stdout.write(line(baseLabel, c.base));
  process.stdout.write(line(simLabel, c.sim));
  process.stdout.write(`  ratio of medians ${(median(rates(c.sim)) / median(rates(c.base))).toFixed(2)} (per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})\n`);
}

/** One TCP terminal: dial the echo line, prove the path with a ping; resolves with the socket once echoed. */
function session(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    let online = false;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`session on ${port} timed out: ${JSON.stringify(buf.slice(-60))}`)); }, 40_000);
    s.on('error', reject);
    s.on('connect', () => s.write(`ATE0\rATDT${ECHO_NUMBER}\r`));
    s.on('data', (b: Buffer) => {
      buf += b.toString('latin1');
      if (!online && buf.includes('CONNECT')) {
        online = true;
        buf = '';
        s.write('ping');
      } else if (online && buf.includes('ping')) {
        clearTimeout(timer);
        resolve(s);
      }
    });
  });
}

async function concurrentSessions(dir: string): Promise<{ ok: number; rssPerSessionKiB: number; heapPerSessionKiB: number; pacingErrorPct: number }> {
  const modems = Array.from({ length: SESSIONS + 1 }, (_, i) => ({ name: `m${i}`, number: `0897${String(1000 + i)}`, bind: 'tcp:127.0.0.1:0' }));
  global.gc?.();
  const before = process.memoryUsage();
  const lab = await Lab.start(labConfig(dir, true, modems), { clock: new RealClock() });
  try {
    const ports = modems.map((m) => tcpPortOf(lab, m.name));
    const results = await Promise.allSettled(ports.slice(0, SESSIONS).map((p) => session(p)));
    global.gc?.();
    const after = process.memoryUsage();
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const pacingErrorPct = await pacing(ports[SESSIONS]);
    for (const r of results) if (r.status === 'fulfilled') r.value.destroy();
    return { ok, rssPerSessionKiB: (after.rss - before.rss) / 1024 / SESSIONS, heapPerSessionKiB: (after.heapUsed - before.heapUsed) / 1024 / SESSIONS, pacingErrorPct };
  } finally {
    await lab.close();
  }
}

/** 5 s of echo at 14400 (1,440 bytes/s) while the other sessions stay connected; error of the measured rate in %. */
function pacing(port: number): Promise<number> {
  const rate = 1440;
  const size = rate * 5;
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    let online = false;
    let got = 0;
    let first = 0;
    let firstAt = 0;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`pacing run stalled at ${got} of ${size} bytes`)); }, 30_000);
    s.on('error', reject);
    s.on('connect', () => s.write(`ATE0\rATDT${ECHO_NUMBER}\r`));
    s.on('data', (b: Buffer) => {
      const now = performance.now();
      if (!online) {
        text += b.toString('latin1');
        if (!/CONNECT[^\r]*\r\n/.test(text)) return;
        online = true;
        s.write(Buffer.alloc(size, 0x33));
        return;
      }
      if (got === 0) { first = b.length; firstAt = now; }
      got += b.length;
      if (got >= size) {
        clearTimeout(timer);
        s.destroy();
        resolve(((size - first) / ((now - firstAt) / 1000) / rate - 1) * 100);
      }
    });
  });
}

bound('modem-io', BOUND_S);
const dir = mkdtempSync(join(tmpdir(), 'modem-io-'));
const closing: Array<() => Promise<void>> = [];
try {
  const ptyPath = join(dir, 'tech');
  const lab = await Lab.start(labConfig(dir, false, [
    { name: 'tech', number: '0897000', bind: `pty:${ptyPath}` },
    { name: 'tcp', number: '0897001', bind: 'tcp:127.0.0.1:0' },
  ]), { clock: new RealClock() });
  closing.push(() => lab.close());
  const tty = openTty(ptyPath);
  closing.push(async () => { tty.destroy(); });
  const at = await atRoundTrips(tty);
  await dialEcho(tty);
  const bare = await socatPair(dir);
  closing.push(() => bare.close());
  report('modem I/O over ptys', 'bare socat pty pair, echoed here:', 'pty → hicom-sim modem → echo line → back:', await alternate(bare.stream, tty));
  process.stdout.write(`  AT round trip over the pty (${AT_SAMPLES}×): median ${at.medianUs.toFixed(0)} µs, p99 ${at.p99Us.toFixed(0)} µs\n`);

  const tcpModem = await tcpConnect(tcpPortOf(lab, 'tcp'));
  closing.push(async () => { tcpModem.destroy(); });
  await dialEcho(tcpModem);
  const echo = await tcpEcho();
  closing.push(() => echo.close());
  report('modem I/O over TCP (raw)', 'bare TCP echo, served here:', 'TCP → hicom-sim modem → echo line → back:', await alternate(echo.stream, tcpModem));

  for (const c of closing.splice(0).reverse()) await c();
  const c = await concurrentSessions(dir);
  process.stdout.write(`${SESSIONS} concurrent TCP modem sessions on the echo line: ${c.ok}/${SESSIONS} connected and echoed; ` +
    `RSS ${c.rssPerSessionKiB.toFixed(1)} KiB/session, heap ${c.heapPerSessionKiB.toFixed(1)} KiB/session\n`);
  process.stdout.write(`pacing error, 5 s at 14400 with ${SESSIONS} sessions up: ${c.pacingErrorPct.toFixed(2)} %\n`);
} finally {
  for (const c of closing.reverse()) await c().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
