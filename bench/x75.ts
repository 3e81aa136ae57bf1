/**
 * X.75 (LAPB + HDLC framing) throughput in-process, on a VirtualClock:
 * how many user octets and frames per wall-clock second the protocol code
 * moves, on a clean line and with 1 % of line octets corrupted (plus 1 % of
 * frames lost). The 64 kbit/s pacing of a real B channel is not applied;
 * this measures CPU cost. Run: npx tsc -p . && node dist/bench/x75.js
 */
import { VirtualClock } from '../core/clock.js';
import { SeededRandom } from '../core/seeded-random.js';
import { X75Link, type ByteChannel } from '../modem/x75-link.js';
import { bound } from './support/bench-bound.js';

/** Measured 3 s on the loaded 2-core box. */
bound('x75', 120);

interface Result {
  label: string;
  octets: number;
  wallMs: number;
  virtualS: number;
  frames: number;
  retransmitted: number;
}

function run(label: string, octets: number, byteErrorRate: number, frameLossRate: number, n1?: number): Result {
  const clock = new VirtualClock(0);
  const rnd = new SeededRandom(1);
  const listeners: Array<Array<(b: Uint8Array) => void>> = [[], []];
  const channel = (me: number): ByteChannel => ({
    write: (bytes) => {
      if (rnd.next() < frameLossRate) return;
      let wire = bytes;
      if (byteErrorRate > 0) {
        wire = Uint8Array.from(bytes);
        for (let i = 0; i < wire.length; i++) if (rnd.next() < byteErrorRate) wire[i] ^= 1 + Math.floor(rnd.next() * 255);
      }
      clock.setTimer(1, () => { for (const l of listeners[1 - me]) l(wire); });
    },
    onData: (l) => { listeners[me].push(l); },
  });
  const params = n1 ? { n1, t1Ms: 3000 } : {};
  const a = new X75Link(channel(0), { clock, role: 'dte', params });
  const b = new X75Link(channel(1), { clock, role: 'dce', params });
  let received = 0;
  b.endpoint.onData((d) => { received += d.length; });
  const data = new Uint8Array(octets);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131) & 0xff;
  const start = process.hrtime.bigint();
  a.connect();
  clock.runUntilIdleOr(() => a.isUp && b.isUp);
  a.endpoint.write(data);
  clock.runUntilIdleOr(() => received >= octets && a.station.pendingBytes === 0, 7 * 24 * 3600_000);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (received !== octets) throw new Error(`${label}: received ${received} of ${octets}`);
  return { label, octets, wallMs, virtualS: clock.now() / 1000, frames: a.station.stats.framesOut + b.station.stats.framesOut, retransmitted: a.station.stats.iFramesRetransmitted };
}

const results = [
  run('clean, N1=128', 4 * 1024 * 1024, 0, 0),
  run('clean, N1=2048', 4 * 1024 * 1024, 0, 0, 2048),
  run('1 % octets corrupted + 1 % frames lost, N1=128', 200 * 1024, 0.01, 0.01),
];
const base = results[0];
const baseRate = base.octets / base.wallMs;
for (const r of results) {
  const mbps = r.octets / 1e6 / (r.wallMs / 1000);
  const fps = r.frames / (r.wallMs / 1000);
  const goodputVirtual = r.octets / r.virtualS;
  process.stdout.write(
    `${r.label.padEnd(48)} ${mbps.toFixed(2).padStart(7)} MB/s  ${Math.round(fps).toString().padStart(8)} frames/s  ` +
    `ratio ${(r.octets / r.wallMs / baseRate).toFixed(3)}  retransmitted I ${r.retransmitted}  ` +
    `virtual goodput ${Math.round(goodputVirtual)} B/s\n`,
  );
}
