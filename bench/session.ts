import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Duplex } from 'node:stream';
import { FrameType } from '../firmware-sim/armored-frame.js';
import { AdminSession } from '../firmware-sim/session.js';
import { parseConfigText } from '../src/lab/config.js';
import { Lab } from '../src/lab/lab.js';
import { createLinePair } from '../src/adapters/line-pair.js';
import { RealClock } from '../src/adapters/real-clock.js';
import { SessionClient } from '../src/clients/session-client.js';
import { bound } from './support/bench-bound.js';

/** Measured 43 s on the loaded 2-core box (fsync-bound sets). */
bound('session', 300);

/**
 * Session commands per second over TCP against a lab in this process, one
 * at a time and pipelined, plus the time and size of a full `kds read`.
 * Baseline: the same commands on the same PBX through an in-process line
 * pair (no sockets), so the ratio is the transport's cost.
 * Run: npx tsc -p . && node dist/bench/session.js
 */
const COMMANDS = 2000;
/** Every `set` is made durable before OK (fsync'd pbx.json + FMC log entry): far fewer per run. */
const SETS = 200;
const KDS_READS = 50;
const READ_CMD = 'get station.101.name';
const WRITE_CMD = (i: number): string => `set station.101.name b${i}`;

/** A SessionClient over an in-process line pair: bytes go straight into the session. */
function pairClient(lab: Lab): SessionClient {
  const pbx = [...lab.pbxs.values()][0].pbx;
  const pair = createLinePair('bench');
  const incoming = new PassThrough();
  pair.dte.onData((d) => incoming.write(d));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      pair.dte.write(chunk);
      done();
    },
  });
  incoming.on('data', (d: Buffer) => stream.push(d));
  const client = new SessionClient(stream);
  // Created last: the greeting is written synchronously in the constructor.
  new AdminSession(pbx, pair.dce, { channel: 'local', port: 'bench' });
  return client;
}

async function oneAtATime(c: SessionClient, make: (i: number) => string, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await c.run(make(i));
  return n / ((performance.now() - t0) / 1000);
}

async function pipelined(c: SessionClient, make: (i: number) => string, n: number): Promise<number> {
  const t0 = performance.now();
  c.write(Array.from({ length: n }, (_, i) => `${make(i)}\r`).join(''));
  for (let i = 0; i < n; i++) {
    const r = await c.reply();
    if (!r.ok) throw new Error(`${make(i)}: ${r.message}`);
  }
  return n / ((performance.now() - t0) / 1000);
}

async function kdsRead(c: SessionClient): Promise<{ ms: number; frameBytes: number; payloadBytes: number }> {
  let best = Infinity;
  let frameBytes = 0;
  let payloadBytes = 0;
  for (let i = 0; i < KDS_READS; i++) {
    const t0 = performance.now();
    const reply = await c.run('kds read');
    const payload = SessionClient.frameFrom(reply, FrameType.Kds);
    best = Math.min(best, performance.now() - t0);
    frameBytes = Number(/^BEGIN KDS (\d+)$/.exec(reply.lines.find((l) => l.startsWith('BEGIN ')) ?? '')?.[1] ?? 0);
    payloadBytes = payload.length;
  }
  return { ms: best, frameBytes, payloadBytes };
}

interface Figures {
  getSeq: number;
  getPipe: number;
  setSeq: number;
  setPipe: number;
  kds: { ms: number; frameBytes: number; payloadBytes: number };
}

const ROUNDS = 3;

function best(runs: Figures[]): Figures {
  const max = (f: (x: Figures) => number): number => Math.max(...runs.map(f));
  const kds = runs.reduce((a, b) => (b.kds.ms < a.kds.ms ? b : a)).kds;
  return { getSeq: max((x) => x.getSeq), getPipe: max((x) => x.getPipe), setSeq: max((x) => x.setSeq), setPipe: max((x) => x.setPipe), kds };
}

async function measure(c: SessionClient): Promise<Figures> {
  // The in-process pair answers a pipelined burst synchronously: allow for it.
  c.timeoutMs = 120_000;
  await oneAtATime(c, () => READ_CMD, COMMANDS); // warm-up
  return {
    getSeq: await oneAtATime(c, () => READ_CMD, COMMANDS),
    getPipe: await pipelined(c, () => READ_CMD, COMMANDS),
    setSeq: await oneAtATime(c, WRITE_CMD, SETS),
    setPipe: await pipelined(c, WRITE_CMD, SETS),
    kds: await kdsRead(c),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-bench-'));
  const config = parseConfigText(
    `stateDir: ${JSON.stringify(join(dir, 'state'))}\npacing: false\npbxs:\n  - id: HSIM-BENCH\n    trunks: ["0301234"]\n    adminPorts:\n      - bind: tcp:127.0.0.1:0\nmodems: []\n`,
  );
  const lab = await Lab.start(config, { clock: new RealClock() });
  try {
    const port = Number(/:(\d+)$/.exec(lab.pbxs.get('HSIM-BENCH')!.adminPorts[0].description)![1]);
    // First login over the pair creates the bench user in System maintenance.
    const setup = pairClient(lab);
    await setup.expect('User: ');
    setup.write('SERVICE\r');
    await setup.expect('Password: ');
    setup.write('31994\r');
    await setup.dialogue('bench', [
      { prompt: 'New password: ', answer: 'benchpw' },
      { prompt: 'Repeat new password: ', answer: 'benchpw' },
    ]);
    setup.close();

    // Alternate the two transports and keep each figure's best of ROUNDS: the
    // disk (fsync) and a shared CPU make single runs noisy.
    const pairClientNow = pairClient(lab);
    const tcpClient = await SessionClient.connectTcp('127.0.0.1', port);
    await pairClientNow.login('bench', 'benchpw');
    await tcpClient.login('bench', 'benchpw');
    const runs: { pair: Figures[]; tcp: Figures[] } = { pair: [], tcp: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.pair.push(await measure(pairClientNow));
      runs.tcp.push(await measure(tcpClient));
    }
    tcpClient.close();
    const pair = best(runs.pair);
    const tcp = best(runs.tcp);

    const row = (what: string, base: number, over: number): string =>
      `| ${what.padEnd(34)} | ${base.toFixed(0).padStart(8)} | ${over.toFixed(0).padStart(8)} | ${(over / base).toFixed(2).padStart(5)} |`;
    const lines = [
      `Session commands (${COMMANDS} gets, ${SETS} sets per run, best of ${ROUNDS} alternating rounds), one PBX (pbx.json + FMC image on ${tmpdir()}), Node ${process.version}:`,
      '',
      '| commands/s                         | pair     | TCP      | TCP/pair |',
      '|------------------------------------|---------:|---------:|------:|',
      row(`\`${READ_CMD}\`, one at a time`, pair.getSeq, tcp.getSeq),
      row(`\`${READ_CMD}\`, pipelined`, pair.getPipe, tcp.getPipe),
      row('`set station.101.name …`, one at a time', pair.setSeq, tcp.setSeq),
      row('`set station.101.name …`, pipelined', pair.setPipe, tcp.setPipe),
      '',
      `Full \`kds read\` (best of ${KDS_READS}): pair ${pair.kds.ms.toFixed(2)} ms, TCP ${tcp.kds.ms.toFixed(2)} ms (TCP/pair ${(tcp.kds.ms / pair.kds.ms).toFixed(2)}); ` +
        `frame ${tcp.kds.frameBytes} bytes (JSON payload ${tcp.kds.payloadBytes} bytes, base64-armored on the line).`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
