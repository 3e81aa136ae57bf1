/**
 * A device's side of the check-in telegram over real UDP, one telegram at a
 * time, for tests of the centre's intake: send a datagram (a proper
 * check-in, or any bytes), wait for what comes back (or for silence), and
 * open the answer with the device's key.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { CheckInBody } from '../../core/check-in-body.js';
import { encodeTelegram, openTelegram, type Telegram } from '../../core/check-in-telegram.js';
import type { DatagramAddress } from '../../core/datagram-port.js';

export class TelegramProbe {
  readonly #socket: Socket;
  readonly #queue: Buffer[] = [];
  #waiter: ((b: Buffer | undefined) => void) | undefined;

  private constructor(socket: Socket, readonly centre: DatagramAddress) {
    this.#socket = socket;
    socket.on('message', (msg) => {
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w(msg);
      } else this.#queue.push(msg);
    });
  }

  static async open(centre: DatagramAddress): Promise<TelegramProbe> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new TelegramProbe(socket, centre);
  }

  /** Send bytes; resolves with the first datagram back within `timeoutMs`, or undefined for silence. */
  async exchange(bytes: Uint8Array, timeoutMs = 2000): Promise<Buffer | undefined> {
    this.#queue.length = 0;
    const reply = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
    this.#socket.send(bytes, this.centre.port, this.centre.host);
    return reply;
  }

  /** Send bytes without waiting. */
  send(bytes: Uint8Array): void {
    this.#socket.send(bytes, this.centre.port, this.centre.host);
  }

  /** A check-in as a device sends it; resolves with the opened answer (undefined: silence). */
  async checkIn(deviceId: string, key: Uint8Array, counter: number, body: CheckInBody, time = Math.floor(Date.now() / 1000), timeoutMs = 2000): Promise<Telegram | undefined> {
    const reply = await this.exchange(encodeTelegram({ type: 'check-in', deviceId, counter, time, body }, key, randomBytes(12)), timeoutMs);
    if (!reply) return undefined;
    const r = openTelegram(reply, key);
    if (!r.ok) throw new Error(`answer does not open with the device key: ${r.reason} ${r.detail}`);
    return r.telegram;
  }

  close(): void {
    this.#socket.close();
  }
}
