import { createSocket, type Socket } from 'node:dgram';
import type { CheckInBody } from '../../core/check-in-body.js';
import { encodeTelegram, openTelegram } from '../../core/check-in-telegram.js';
import type { DatagramAddress } from '../../core/datagram-port.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { percentile } from '../../test/support/sample-stats.js';

export interface LoadDevice {
  id: string;
  key: Uint8Array;
}

export interface IntakeLoadOptions {
  centre: DatagramAddress;
  devices: readonly LoadDevice[];
  /** Telegrams in flight at once, over all devices. */
  window: number;
  /** Sending stops after this long (ms), or when every telegram built is answered. */
  durationMs: number;
  /** Telegrams built per device before the timed part (enough for the fastest rate expected over `durationMs`). */
  perDevice: number;
  /** The first counter of each device for this run (fresh for the centre's replay window). */
  firstCounter(device: LoadDevice): number;
  /** The body of the n-th telegram built (n from 0), with its counter and time (Unix seconds). */
  body(n: number, counter: number, now: number): CheckInBody;
  /** One ack in this many is opened in full (tag, type, echoed counter); the others are matched by their clear header. 0: none (an answer that is no real ack, as the bare echo's). */
  verifyEvery?: number;
}

export interface IntakeLoadResult {
  sent: number;
  /** Acks matched to a telegram sent (each telegram counted once). */
  acked: number;
  /** Naks, and answers that matched nothing sent (should both be 0). */
  naks: number;
  strays: number;
  /** Acks opened in full, and how many of those failed (must be 0). */
  verified: number;
  verifyFailed: number;
  seconds: number;
  p50: number;
  p99: number;
  /** ms spent building the telegrams, before the timed part. */
  buildMs: number;
  /** CPU time of this process over the timed part, µs per ack. */
  cpuUsPerAck: number;
  /** Every device ran out of pre-built telegrams before the end (raise `perDevice`). */
  exhausted: boolean;
}

/** Offsets of the clear header (spec §5.2). */
const TYPE_AT = 4;
const ID_LENGTH_AT = 5;
const ACK = 0x81;
const NAK = 0x82;

/**
 * The intake benchmark's load generator: it does before the clock starts
 * what a fleet would have done anyway (every telegram encoded and sealed,
 * unique counters per device), so the timed part is only sending and
 * taking answers — the load is limited by the centre, not by the sender's
 * own AES-GCM. `window` telegrams are in flight; each answer sends the next
 * telegram of the next device (round-robin), over 16 connected sockets.
 * An answer is matched by its clear header (type, device id, counter; the
 * latency of each ack is measured from its own send) and one in
 * `verifyEvery` is opened in full with the device's key.
 */
export async function runIntakeLoad(o: IntakeLoadOptions): Promise<IntakeLoadResult> {
  const verifyEvery = o.verifyEvery ?? 16;
  const n = o.devices.length;
  const b0 = performance.now();
  const built: Uint8Array[][] = [];
  const first: number[] = [];
  const now = Math.floor(Date.now() / 1000);
  let made = 0;
  for (const d of o.devices) {
    const c0 = o.firstCounter(d);
    first.push(c0);
    const list: Uint8Array[] = [];
    for (let k = 0; k < o.perDevice; k++) {
      const counter = c0 + k;
      list.push(encodeTelegram({ type: 'check-in', deviceId: d.id, counter, time: now, body: o.body(made++, counter, now) }, d.key, cryptoRandom.bytes(12)));
    }
    built.push(list);
  }
  const buildMs = performance.now() - b0;
  const indexOf = new Map(o.devices.map((d, i) => [d.id, i]));
  const sentAt = o.devices.map(() => new Float64Array(o.perDevice).fill(-1));
  const nextOf = new Int32Array(n);
  const sockets = await Promise.all(Array.from({ length: 16 }, () => connected(o.centre)));
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let naks = 0;
  let strays = 0;
  let verified = 0;
  let verifyFailed = 0;
  let cursor = 0;
  let exhausted = false;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + o.durationMs;
  await new Promise<void>((resolve) => {
    const send = (): void => {
      if (performance.now() > end) return;
      for (let tries = 0; tries < n; tries++) {
        const i = cursor;
        cursor = (cursor + 1) % n;
        const k = nextOf[i];
        if (k >= o.perDevice) continue;
        nextOf[i] = k + 1;
        sentAt[i][k] = performance.now();
        sockets[sent % sockets.length].send(built[i][k]);
        sent++;
        return;
      }
      exhausted = true;
    };
    const onAnswer = (data: Buffer): void => {
      const len = data[ID_LENGTH_AT];
      const i = indexOf.get(data.toString('latin1', 6, 6 + len));
      const k = i === undefined ? -1 : data.readUInt32BE(6 + len) - first[i];
      if (i === undefined || k < 0 || k >= o.perDevice || sentAt[i][k] < 0) {
        strays++;
        return;
      }
      const at = sentAt[i][k];
      sentAt[i][k] = -1;
      if (data[TYPE_AT] === ACK) {
        acked++;
        latencies.push(performance.now() - at);
        if (verifyEvery > 0 && acked % verifyEvery === 0) {
          verified++;
          const r = openTelegram(data, o.devices[i].key);
          if (!r.ok || r.telegram.type !== 'ack' || r.telegram.body.counter !== first[i] + k) verifyFailed++;
        }
      } else if (data[TYPE_AT] === NAK) naks++;
      else strays++;
      if (performance.now() > end || acked + naks === n * o.perDevice) resolve();
      else send();
    };
    for (const s of sockets) s.on('message', onAnswer);
    for (let w = 0; w < o.window; w++) send();
    setTimeout(resolve, o.durationMs + 3000).unref();
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const s of sockets) s.close();
  return {
    sent, acked, naks, strays, verified, verifyFailed, seconds, buildMs, exhausted,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuUsPerAck: (cpu.user + cpu.system) / Math.max(1, acked),
  };
}

/** A UDP socket connected to the centre: no address per send, answers only from there. */
function connected(to: DatagramAddress): Promise<Socket> {
  const s = createSocket(to.host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.connect(to.port, to.host, () => {
      s.off('error', reject);
      for (const set of [(b: number) => s.setRecvBufferSize(b), (b: number) => s.setSendBufferSize(b)]) {
        try {
          set(8 << 20);
        } catch {
          // Capped by the system (net.core.rmem_max / wmem_max): its size still works.
        }
      }
      resolve(s);
    });
  });
}
