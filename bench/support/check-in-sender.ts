import type { CheckInBody } from '../../core/check-in-body.js';
import { encodeTelegram, openTelegram } from '../../core/check-in-telegram.js';
import type { DatagramAddress } from '../../core/datagram-port.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { percentile } from '../../test/support/sample-stats.js';

export interface SenderDevice {
  id: string;
  key: Uint8Array;
}

export interface SendOptions {
  centre: DatagramAddress;
  devices: readonly SenderDevice[];
  /** Telegrams in flight: the next one leaves when an answer comes back. */
  window: number;
  /** Stop sending after this long (ms); or after `total` telegrams, whichever comes first. */
  durationMs: number;
  total?: number;
  /** The counter of the n-th telegram of a device (fresh for the centre's replay window). */
  counter(device: SenderDevice): number;
  /** The body of the n-th telegram sent (n from 0), with its counter and time (Unix seconds). */
  body(n: number, counter: number, now: number): CheckInBody;
  /** Only answers of this type count (an ack; a nak answers too, but is no success). */
  answer?: 'ack' | 'any';
}

export interface SendResult {
  sent: number;
  answered: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * The least a device does per check-in, at full speed, for benchmarks:
 * encode a check-in with a fresh nonce, send it over one of 16 UDP sockets,
 * open the answer and time it — `window` in flight, each answer sending the
 * next. Devices are taken round-robin.
 */
export async function sendCheckIns(o: SendOptions): Promise<SendResult> {
  const sockets = await Promise.all(Array.from({ length: 16 }, () => UdpDatagramPort.open({ receiveBufferBytes: 8 << 20, sendBufferBytes: 8 << 20 })));
  const keyOf = new Map(o.devices.map((d) => [d.id, d.key]));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const total = o.total ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  let answered = 0;
  const t0 = performance.now();
  const end = t0 + o.durationMs;
  const done = (): boolean => performance.now() > end || answered >= total;
  await new Promise<void>((resolve) => {
    const send = (): void => {
      if (performance.now() > end || sent >= total) return;
      const d = o.devices[sent % o.devices.length];
      const counter = o.counter(d);
      const now = Math.floor(Date.now() / 1000);
      const bytes = encodeTelegram({ type: 'check-in', deviceId: d.id, counter, time: now, body: o.body(sent, counter, now) }, d.key, cryptoRandom.bytes(12));
      sentAt.set(`${d.id} ${counter}`, performance.now());
      sockets[sent % sockets.length].send(bytes, o.centre);
      sent++;
    };
    for (const s of sockets) s.onMessage((data) => {
      const id = String.fromCharCode(...data.subarray(6, 6 + data[5]));
      const key = keyOf.get(id);
      if (!key) return;
      const r = openTelegram(data, key);
      if (!r.ok || (o.answer !== 'any' && r.telegram.type !== 'ack')) return;
      answered++;
      const at = sentAt.get(`${id} ${r.telegram.counter}`);
      if (at !== undefined) latencies.push(performance.now() - at);
      if (done()) resolve();
      else send();
    });
    for (let i = 0; i < o.window; i++) send();
    setTimeout(resolve, o.durationMs + 3000).unref();
  });
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sockets) s.close();
  return { sent, answered, seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}
