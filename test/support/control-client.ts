import { ReadlineParser } from '@serialport/parser-readline';
import { connect, type Socket } from 'node:net';

export type ControlMessage = Record<string, unknown>;

/**
 * A test's client of `hicom-sim lab --control`: raw lines out, parsed
 * messages in, every wait with a deadline. `request` sends one command and
 * returns its reply with the events that came before it.
 */
export class ControlTestClient {
  readonly socket: Socket;
  readonly #inbox: ControlMessage[] = [];
  #waiters: Array<() => void> = [];
  #ended = false;
  #nextId = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    const lines = socket.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'utf8' }));
    lines.on('data', (line: string) => {
      this.#inbox.push(JSON.parse(line) as ControlMessage);
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** `unix:PATH` or `tcp:HOST:PORT`, as the lab prints it on its `control:` line. */
  static connect(address: string): Promise<ControlTestClient> {
    return new Promise((resolve, reject) => {
      const m = /^tcp:(.+):(\d+)$/.exec(address);
      const socket = address.startsWith('unix:') ? connect(address.slice(5)) : m ? connect(Number(m[2]), m[1]) : undefined;
      if (!socket) return reject(new Error(`not a control address: ${address}`));
      socket.once('connect', () => resolve(new ControlTestClient(socket)));
      socket.once('error', reject);
    });
  }

  get ended(): boolean {
    return this.#ended && this.#inbox.length === 0;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  sendLine(text: string): void {
    this.socket.write(`${text}\n`);
  }

  /** The next message, or an error after `timeoutMs` or when the lab closed the connection. */
  async next(timeoutMs = 10_000): Promise<ControlMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inbox.length === 0) {
      if (this.#ended) throw new Error('the lab closed the control connection');
      if (Date.now() >= deadline) throw new Error(`no control message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#inbox.shift() as ControlMessage;
  }

  /** Messages up to and including the next reply (a message with an `id`). */
  async untilReply(timeoutMs = 10_000): Promise<{ events: ControlMessage[]; reply: ControlMessage }> {
    const events: ControlMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if ('id' in m) return { events, reply: m };
      events.push(m);
    }
  }

  /** Send a command; resolves with its reply (`ok` or `error`) and the events before it. */
  async request(cmd: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<{ events: ControlMessage[]; reply: ControlMessage }> {
    const id = this.#nextId++;
    this.sendLine(JSON.stringify(args === undefined ? { id, cmd } : { id, cmd, args }));
    const r = await this.untilReply(timeoutMs);
    if (r.reply.id !== id) throw new Error(`reply for id ${String(r.reply.id)}, expected ${id}`);
    return r;
  }

  /** The `ok` of a command; throws with the error message when it failed. */
  async ok(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    const { reply } = await this.request(cmd, args, timeoutMs);
    if ('error' in reply) throw new Error(`${cmd}: ${JSON.stringify(reply.error)}`);
    return reply.ok;
  }

  close(): void {
    this.socket.destroy();
  }
}
