import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import type { LabEvent } from '../lab/lab-events.js';
import { NumberingError } from '../network/exchange.js';
import { CONTROL_COMMANDS, wireEvent, type CommandContext, type ControlSession } from './control-commands.js';
import { ControlError, type ControlErrorCode } from './control-error.js';
import { nameMatches } from './event-filter.js';

/** What every connection shares: the command context (without its session) and the limits. */
export interface ConnectionHost {
  context: Omit<CommandContext, 'session'>;
  /** The greeting's body (protocol, version, capabilities, auth, clock). */
  greeting(): Record<string, unknown>;
  /** Whether a token is needed, and checks one. */
  auth: { required: boolean; check(token: string): boolean };
  limits: ConnectionLimits;
  logger: Logger;
}

export interface ConnectionLimits {
  /** Longest request line; a longer one is answered `line-too-long` and the connection closed. */
  maxLineBytes: number;
  /** Output a client may leave unread; past it the client is dropped so it cannot hold the lab's memory. */
  maxBacklogBytes: number;
}

/** Wrong tokens after which the connection is closed. */
export const AUTH_ATTEMPTS = 3;

type RequestId = string | number | null;

/**
 * One client of the control port: reads request lines, answers each with
 * `{"id", "ok"}` or `{"id", "error"}`, and sends the events it subscribed
 * to. A client that stops reading is dropped once `maxBacklogBytes` of
 * output wait for it, so it can stall neither the lab nor other clients.
 */
export class ControlConnection implements ControlSession {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #subscriptions = new Set<string>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #authenticated: boolean;
  #wrongTokens = 0;
  #closed = false;
  /** Lines that arrived while a request was still running (requests run one at a time, in order). */
  readonly #queue: string[] = [];
  #busy = false;

  constructor(socket: Socket, host: ConnectionHost, readonly name: string) {
    this.#socket = socket;
    this.#host = host;
    this.#authenticated = !host.auth.required;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  greet(): void {
    this.#send({ greeting: this.#host.greeting() });
  }

  /** Refuse the connection with one error line (too many clients) and close it. */
  refuse(code: ControlErrorCode, message: string): void {
    this.#send({ id: null, error: { code, message } });
    this.end();
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
    this.#socket.setTimeout(1000, () => this.#socket.destroy());
  }

  /** A lab event: sent when a subscription wants it. */
  event(e: LabEvent): void {
    if (this.#closed || this.#subscriptions.size === 0) return;
    for (const p of this.#subscriptions) {
      if (nameMatches(p, e.event)) {
        this.#send(wireEvent(e));
        return;
      }
    }
  }

  subscribe(patterns: string[]): string[] {
    for (const p of patterns) this.#subscriptions.add(p);
    return [...this.#subscriptions];
  }

  unsubscribe(patterns: string[] | undefined): string[] {
    if (!patterns) this.#subscriptions.clear();
    else for (const p of patterns) this.#subscriptions.delete(p);
    return [...this.#subscriptions];
  }

  authenticate(token: string): void {
    if (!this.#host.auth.required || this.#host.auth.check(token)) {
      this.#authenticated = true;
      return;
    }
    this.#wrongTokens++;
    if (this.#wrongTokens >= AUTH_ATTEMPTS) setImmediate(() => this.end());
    throw new ControlError('unauthorized', `wrong token${this.#wrongTokens >= AUTH_ATTEMPTS ? `; ${AUTH_ATTEMPTS} wrong tokens, closing the connection` : ''}`);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0 && !this.#closed; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.#pendingBytes + piece.length > this.#host.limits.maxLineBytes) return this.#tooLong();
      const line = Buffer.concat([...this.#pending, piece]).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#queue.push(line);
    }
    this.#drain();
    if (this.#closed || start >= chunk.length) return;
    const rest = chunk.subarray(start);
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
    if (this.#pendingBytes > this.#host.limits.maxLineBytes) this.#tooLong();
  }

  #tooLong(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.refuse('line-too-long', `a request line is at most ${this.#host.limits.maxLineBytes} bytes; closing the connection`);
  }

  /**
   * Run queued lines in order. A request that answers later (run-until in
   * real time, a power cycle) holds the rest back and pauses reading, so
   * replies come in request order and a pipelining client cannot pile up
   * work.
   */
  #drain(): void {
    while (!this.#busy && !this.#closed && this.#queue.length) {
      const pending = this.#line(this.#queue.shift() ?? '');
      if (!pending) continue;
      this.#busy = true;
      this.#socket.pause();
      void pending.then(() => {
        this.#busy = false;
        if (this.#closed) return;
        this.#socket.resume();
        this.#drain();
      });
    }
  }

  /** Handle one request line; a promise when its reply comes later. */
  #line(raw: string): Promise<void> | undefined {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch (err) {
      return this.#error(null, 'bad-json', `not JSON: ${(err as Error).message}`);
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) return this.#error(null, 'bad-request', 'a request is a JSON object {"id", "cmd", "args"}');
    const r = request as Record<string, unknown>;
    const id = r.id === undefined ? null : r.id;
    if (id !== null && typeof id !== 'string' && typeof id !== 'number') return this.#error(null, 'bad-request', '"id" is a number or a string');
    const unknownKeys = Object.keys(r).filter((k) => k !== 'id' && k !== 'cmd' && k !== 'args');
    if (unknownKeys.length) return this.#error(id, 'bad-request', `unknown field "${unknownKeys[0]}" (a request has id, cmd, args)`);
    if (typeof r.cmd !== 'string') return this.#error(id, 'bad-request', '"cmd" is missing or not a string');
    const command = CONTROL_COMMANDS.get(r.cmd);
    if (!command) return this.#error(id, 'unknown-command', `unknown command "${r.cmd.slice(0, 64)}" ("commands" lists them)`);
    if (!this.#authenticated && !command.open) {
      return this.#error(id, 'unauthorized', 'this control port needs the lab\'s token first: {"cmd": "auth", "args": {"token": …}} (printed at start, or the file given by --control-token-file)');
    }
    const args = r.args === undefined ? {} : r.args;
    const { lab } = this.#host.context;
    let result: unknown;
    try {
      result = command.run({ ...this.#host.context, session: this }, args);
    } catch (err) {
      // Work the command set off (a restart after a torn write) finishes before the reply, so its events come first.
      if (lab.busy) return lab.settled().then(() => this.#failed(id, err));
      return this.#failed(id, err);
    }
    // A reply that is ready goes out at once, so replies and the events a command caused keep their order.
    if (!(result instanceof Promise) && !lab.busy) return this.#send({ id, ok: result ?? {} });
    return Promise.resolve(result).then(
      async (value: unknown) => {
        await lab.settled();
        this.#send({ id, ok: value ?? {} });
      },
      async (err: unknown) => {
        await lab.settled();
        this.#failed(id, err);
      },
    );
  }

  #failed(id: RequestId, err: unknown): undefined {
    if (err instanceof ControlError) return this.#error(id, err.code, err.message);
    if (err instanceof NumberingError) return this.#error(id, 'not-found', err.message);
    this.#host.logger.warn({ client: this.name, err: (err as Error).message }, 'control command failed');
    return this.#error(id, 'failed', (err as Error).message);
  }

  #error(id: RequestId, code: ControlErrorCode, message: string): undefined {
    return this.#send({ id, error: { code, message } });
  }

  /** Write one message line; undefined, so a handler can `return this.#send(…)`. */
  #send(message: unknown): undefined {
    if (this.#closed || this.#socket.destroyed) return undefined;
    this.#socket.write(`${JSON.stringify(message)}\n`);
    if (this.#socket.writableLength > this.#host.limits.maxBacklogBytes) {
      this.#host.logger.warn({ client: this.name, unread: this.#socket.writableLength }, 'control client does not read its output: dropped');
      this.#closed = true;
      this.#socket.destroy();
    }
    return undefined;
  }
}
