/**
 * Devices as a centre's fault tests need them: each sends check-ins with
 * new events over real UDP, one at a time, resends what was not
 * acknowledged under a new counter (docs/check-in-telegram.md §6), and
 * keeps what the centre acknowledged — also an ack that arrives after the
 * device gave up waiting for it and sent the next check-in — so a test can
 * ask afterwards whether everything acknowledged is really in the
 * database.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { DeviceEvent } from '../../core/check-in-body.js';
import { encodeTelegram, openTelegram } from '../../core/check-in-telegram.js';

export interface SwarmDevice {
  id: string;
  key: Uint8Array;
  counter: number;
  nextSeq: number;
  /** Events not yet acknowledged, oldest first. */
  queue: DeviceEvent[];
  /** Counters and event seqs the centre acknowledged. */
  ackedCounters: number[];
  ackedSeqs: number[];
  /** Check-ins that got no answer (the centre down or killed). */
  unanswered: number;
}

export class DeviceSwarm {
  readonly devices: SwarmDevice[];
  target: { host: string; port: number } | undefined;
  /** False: devices stop making new events and only send what they have queued (a drain). */
  newEvents = true;
  #running = false;
  readonly #sockets: Socket[] = [];
  #loops: Promise<void>[] = [];

  constructor(devices: Array<{ id: string; key: Uint8Array }>, readonly replyTimeoutMs = 400) {
    this.devices = devices.map((d) => ({ ...d, counter: 0, nextSeq: 1, queue: [], ackedCounters: [], ackedSeqs: [], unanswered: 0 }));
  }

  /** Start every device checking in as fast as the centre answers. */
  async start(): Promise<void> {
    this.#running = true;
    this.#loops = this.devices.map((d) => this.#loop(d));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  close(): void {
    for (const s of this.#sockets) s.close();
  }

  async #loop(d: SwarmDevice): Promise<void> {
    const socket = createSocket('udp4');
    this.#sockets.push(socket);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    /** Counters sent and not answered yet: an ack that comes after its timeout still counts (its commit happened). */
    const open = new Set<number>();
    let waiting: { counter: number; done: () => void } | undefined;
    socket.on('message', (m) => {
      const r = openTelegram(m, d.key);
      if (!r.ok || r.telegram.type === 'check-in' || !open.delete(r.telegram.counter)) return;
      if (r.telegram.type === 'ack') {
        d.ackedCounters.push(r.telegram.counter);
        const accepted = new Set(r.telegram.body.accepted);
        d.ackedSeqs.push(...accepted);
        // A device deletes exactly what an ack lists, nothing else.
        d.queue = d.queue.filter((e) => !accepted.has(e.seq));
      }
      if (waiting?.counter === r.telegram.counter) waiting.done();
    });
    while (this.#running) {
      const target = this.target;
      if (!target) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const now = Math.floor(Date.now() / 1000);
      if (this.newEvents) for (let i = 0; i < 2; i++) d.queue.push({ seq: d.nextSeq++, time: now, type: 'door-open' });
      if (!this.newEvents && d.queue.length === 0) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const events = d.queue.slice(0, 10);
      const counter = ++d.counter;
      const bytes = encodeTelegram({ type: 'check-in', deviceId: d.id, counter, time: now, body: { events } }, d.key, randomBytes(12));
      open.add(counter);
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          resolve(false);
        }, this.replyTimeoutMs);
        waiting = {
          counter,
          done: () => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(true);
          },
        };
        socket.send(bytes, target.port, target.host);
      });
      if (!answered) d.unanswered++;
    }
  }
}
