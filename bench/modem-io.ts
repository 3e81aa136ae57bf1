import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { validateConfig, type LabConfig } from '../src/lab/config.js';
import { Lab } from '../src/lab/lab.js';
import { RealClock } from '../src/adapters/real-clock.js';
import { median, percentile } from '../test/support/sample-stats.js';

/**
 * Modem I/O through real file descriptors, in real time (docs/perf.md
 * "Modem I/O"):
 * - unpaced throughput: DTE pty → technician modem → echo test line → back,
 *   against the same bytes through a bare socat pty pair echoed by this
 *   process (the ratio is what hicom-sim costs on top of socat);
 * - AT round trip over the pty (median, p99);
 * - 256 concurrent modem sessions over TCP, each connected to the echo line
 *   (all must work; memory per session);
 * - pacing error of a 5 s transfer at 14400 bit/s.
 */
const THROUGHPUT_BYTES = Number(process.env.MODEM_IO_BYTES ?? 8 * 1024 * 1024);
/** Bytes in flight at most (sent, not yet echoed): keeps tty buffers from filling up in either run alike. */
const WINDOW = 64 * 1024;
const AT_SAMPLES = 2000;
const SESSIONS = 256;

/**
 * A pty opened the way a terminal program would, through serialport
 * (non-blocking I/O; a tty.WriteStream blocks the event loop, which would
 * deadlock against the lab running in this same process).
 */
type Tty = SerialPort;

function openTty(path: string): Promise<Tty> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
  });
}

function closeTty(t: Tty): Promise<void> {
  return new Promise((resolve) => t.close(() => resolve()));
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
}

/** Read from `tty` until `token` appears; returns what came. */
function expectText(tty: Tty, token: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { tty.off('data', on); reject(new Error(`timeout waiting for ${token}: ${JSON.stringify(buf.slice(-80))}`)); }, timeoutMs);
    const on = (b: Buffer): void => {
      buf += b.toString('latin1');
      if (buf.includes(token)) {
        clearTimeout(timer);
        tty.off('data', on);
        resolve(buf);
      }
    };
    tty.on('data', on);
  });
}

/** Push `total` bytes through `out`, count them coming back on `inp`, at most WINDOW in flight; bytes/s. */
function pump(out: Tty, inp: Tty, total: number): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(4096, 0x5a);
    let sent = 0;
    let got = 0;
    const t0 = performance.now();
    const fill = (): void => {
      while (sent < total && sent - got < WINDOW) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        out.write(chunk.subarray(0, n));
      }
    };
    inp.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= total) resolve(total / ((performance.now() - t0) / 1000));
      else fill();
    });
    fill();
  });
}

async function baselineSocat(dir: string): Promise<number> {
  const a = join(dir, 'bare-a');
  const b = join(dir, 'bare-b');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  try {
    await waitFor(a);
    await waitFor(b);
    const ta = await openTty(a);
    const tb = await openTty(b);
    tb.on('data', (d: Buffer) => tb.write(d));
    const rate = await pump(ta, ta, THROUGHPUT_BYTES);
    await closeTty(ta);
    await closeTty(tb);
    return rate;
  } finally {
    socat.kill();
  }
}

function labConfig(dir: string, pacing: boolean, modems: Array<{ name: string; number: string; bind: string }>): LabConfig {
  return validateConfig({ stateDir: join(dir, `state-${pacing}`), pacing, pbxs: [{ id: 'BENCH', trunks: ['0301234'] }], modems }, dir);
}

async function throughPty(dir: string): Promise<{ rate: number; atMedianUs: number; atP99Us: number }> {
  const path = join(dir, 'tech');
  const lab = await Lab.start(labConfig(dir, false, [{ name: 'tech', number: '0897000', bind: `pty:${path}` }]), { clock: new RealClock() });
  try {
    const tty = await openTty(path);
    tty.write('ATE0\r');
    await expectText(tty, 'OK\r\n');
    const times: number[] = [];
    for (let i = 0; i < AT_SAMPLES; i++) {
      const t0 = performance.now();
      tty.write('AT\r');
      await expectText(tty, 'OK\r\n');
      times.push((performance.now() - t0) * 1000);
    }
    tty.write('ATDT0800100\r');
    await expectText(tty, 'CONNECT');
    await new Promise((r) => setTimeout(r, 50));
    const rate = await pump(tty, tty, THROUGHPUT_BYTES);
    await closeTty(tty);
    return { rate, atMedianUs: median(times), atP99Us: percentile(times, 0.99) };
  } finally {
    await lab.close();
  }
}

/** One TCP terminal: dial the echo line, prove the path with a ping; resolves with the socket once echoed. */
function session(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    let online = false;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`session on ${port} timed out: ${JSON.stringify(buf.slice(-60))}`)); }, 40_000);
    s.on('error', reject);
    s.on('connect', () => s.write('ATE0\rATDT0800100\r'));
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
    const ports = modems.map((m) => Number(/:(\d+)$/.exec(lab.modems.get(m.name)!.provider!.description)![1]));
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
    s.on('error', reject);
    s.on('connect', () => s.write('ATE0\rATDT0800100\r'));
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
        s.destroy();
        resolve(((size - first) / ((now - firstAt) / 1000) / rate - 1) * 100);
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'modem-io-'));
try {
  const base = await baselineSocat(dir);
  const sim = await throughPty(dir);
  const mib = (r: number): string => (r / 1024 / 1024).toFixed(2);
  process.stdout.write(`modem I/O over ptys (${THROUGHPUT_BYTES / 1024 / 1024} MiB echoed, ${WINDOW / 1024} KiB window)\n`);
  process.stdout.write(`  bare socat pty pair:                      ${mib(base)} MiB/s\n`);
  process.stdout.write(`  pty → hicom-sim modem → echo line → back: ${mib(sim.rate)} MiB/s  (ratio ${(sim.rate / base).toFixed(2)}, goal ≥ 0.8)\n`);
  process.stdout.write(`  AT round trip over the pty (${AT_SAMPLES}×): median ${sim.atMedianUs.toFixed(0)} µs, p99 ${sim.atP99Us.toFixed(0)} µs\n`);
  const c = await concurrentSessions(dir);
  process.stdout.write(`  ${SESSIONS} concurrent TCP modem sessions on the echo line: ${c.ok}/${SESSIONS} connected and echoed; ` +
    `RSS ${c.rssPerSessionKiB.toFixed(1)} KiB/session, heap ${c.heapPerSessionKiB.toFixed(1)} KiB/session\n`);
  process.stdout.write(`  pacing error, 5 s at 14400 with ${SESSIONS} sessions up: ${c.pacingErrorPct.toFixed(2)} %\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
