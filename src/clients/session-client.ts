import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { ArmorReader, armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import type { CardIdentity } from '../../firmware-sim/chip-card.js';

/** The status line that ends every reply (docs/session-protocol.md). */
export interface Reply {
  ok: boolean;
  /** 0 for OK, else the ERROR code. */
  code: number;
  /** Text after the code, or the note line before OK. */
  message: string;
  /** Every line before the status line. */
  lines: string[];
}

export class SessionError extends Error {
  constructor(message: string, readonly reply?: Reply) {
    super(message);
  }
}

const IAC = 0xff;

export interface SessionClientOptions {
  timeoutMs?: number;
  /** The clock timeouts run on (default: the wall clock); a virtual one for sessions with firmware in virtual time. */
  clock?: Clock;
  /**
   * Wraps every wait for the far end's bytes: a virtual-time driver marks
   * the caller idle meanwhile, so the clock moves on and the modem or the
   * PBX can answer (VisitContext.idle).
   */
  waiting?: <T>(p: Promise<T>) => Promise<T>;
}

const WALL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(t) };
  },
};
const STATUS = /^(OK|ERROR (\d{3}) (.*))$/;

/**
 * A program's side of the admin session language, over any byte stream
 * (TCP socket, serial port, pty, or a modem's data connection once
 * CONNECT was seen). Used by the CLI clients, the benchmarks and the tests.
 */
export class SessionClient {
  readonly #stream: Duplex;
  #buf = '';
  #waiters: Array<() => void> = [];
  #closed = false;
  #error: Error | undefined;
  readonly #clock: Clock;
  readonly #waiting: <T>(p: Promise<T>) => Promise<T>;
  timeoutMs: number;

  constructor(stream: Duplex, options: SessionClientOptions = {}) {
    this.#stream = stream;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#clock = options.clock ?? WALL_CLOCK;
    this.#waiting = options.waiting ?? ((p) => p);
    stream.on('data', (chunk: Buffer) => {
      this.#buf += stripTelnet(chunk).toString('utf8');
      this.#wake();
    });
    stream.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    stream.on('error', (err: Error) => {
      this.#error = err;
      this.#closed = true;
      this.#wake();
    });
  }

  static connectTcp(host: string, port: number, options: { timeoutMs?: number } = {}): Promise<SessionClient> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new SessionClient(socket, options));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  write(text: string): void {
    this.#stream.write(text);
  }

  /** Wait until the received text matches `pattern`; consume and return everything up to the end of the match. */
  async expect(pattern: RegExp | string, timeoutMs = this.timeoutMs): Promise<string> {
    const deadline = this.#clock.now() + timeoutMs;
    for (;;) {
      const idx = typeof pattern === 'string' ? this.#buf.indexOf(pattern) : this.#buf.search(pattern);
      if (idx >= 0) {
        const len = typeof pattern === 'string' ? pattern.length : (this.#buf.slice(idx).match(pattern)?.[0].length ?? 0);
        const out = this.#buf.slice(0, idx + len);
        this.#buf = this.#buf.slice(idx + len);
        return out;
      }
      if (this.#closed) throw new SessionError(`connection closed while waiting for ${String(pattern)}${this.#error ? ` (${this.#error.message})` : ''}; got ${JSON.stringify(this.#buf.slice(-200))}`);
      const left = deadline - this.#clock.now();
      if (left <= 0) throw new SessionError(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(this.#buf.slice(-200))}`);
      await this.#waiting(new Promise<void>((resolve) => {
        const t = this.#clock.setTimer(left, resolve);
        this.#waiters.push(() => {
          t.cancel();
          resolve();
        });
      }));
    }
  }

  /** Read lines until a status line; the reply. */
  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const raw = await this.expect('\n');
      const line = raw.replace(/\r?\n$/, '').replace(/^\r/, '');
      const m = STATUS.exec(line);
      if (m) {
        if (m[1] === 'OK') return { ok: true, code: 0, message: lines[lines.length - 1] ?? '', lines };
        return { ok: false, code: Number(m[2]), message: m[3], lines };
      }
      lines.push(line);
    }
  }

  /**
   * Log in at the `User:` prompt. A remote line first asks `PIN:` — give
   * `pin` for it. Switches the session to machine mode (no echo, no
   * prompt) so that replies are exactly the documented lines.
   */
  async login(name: string, password: string, options: { pin?: string } = {}): Promise<Reply> {
    if (options.pin !== undefined) {
      await this.expect('PIN: ');
      this.write(`${options.pin}\r`);
    }
    await this.expect('User: ');
    this.write(`${name}\r`);
    // The PBX may refuse the name at once (held off after failed logins: ERROR 429 … wait n s) instead of asking for the password.
    const asked = await this.expect(/Password: |ERROR \d{3} [^\r\n]*\r?\n/);
    const refused = /ERROR (\d{3}) ([^\r\n]*)\r?\n$/.exec(asked);
    if (refused) {
      const reply: Reply = { ok: false, code: Number(refused[1]), message: refused[2], lines: [] };
      throw new SessionError(`login as ${name} failed: ERROR ${reply.code} ${reply.message}`, reply);
    }
    this.write(`${password}\r`);
    const reply = await this.reply();
    if (!reply.ok) throw new SessionError(`login as ${name} failed: ${reply.message}`, reply);
    await this.command('mode machine');
    return reply;
  }

  /**
   * Log in with a chip card on an Octopus E (docs/octopus-e.md): `CARD` at
   * `User:`, the card as a CARD frame, `identity` at the PBX's question,
   * then the password. On a delivered PBX the card starts the first login
   * at once: the identity and password are answered here, the circle (and
   * anything else the PBX asks) by `answer`. Switches to machine mode.
   */
  async loginWithCard(card: Uint8Array, identity: CardIdentity, password: string, answer: (prompt: string) => Promise<string>): Promise<Reply> {
    await this.expect('User: ');
    this.write('CARD\r');
    const sent = await this.expect(/SEND FRAME\r?\n|ERROR \d{3} [^\r\n]*\r?\n/);
    if (!sent.includes('SEND FRAME')) throw this.#refusal(sent);
    this.write(armorFrame(FrameType.Card, card).map((l) => `${l}\r`).join(''));
    for (;;) {
      const text = await this.expect(/(?:Log in as|Identity) \([^)\r\n]*\): |(?:New |Repeat new )?[Pp]assword: |Circle \(1-6 or its name\): |(?:^|\n)(?:OK|ERROR \d{3} [^\r\n]*)\r?\n/);
      if (/(?:Log in as|Identity) \(/.test(text)) this.write(`${identity}\r`);
      else if (/assword: $/.test(text)) this.write(`${password}\r`);
      else if (/Circle \(1-6 or its name\): $/.test(text)) this.write(`${await answer('Circle (1-6 or its name): ')}\r`);
      else if (/(?:^|\n)OK\r?\n$/.test(text)) break;
      // A refused answer is asked again; any other error ends the login.
      else if (!/ERROR 422 /.test(text)) throw this.#refusal(text);
    }
    await this.command('mode machine');
    return { ok: true, code: 0, message: '', lines: [] };
  }

  #refusal(text: string): SessionError {
    const line = /ERROR (\d{3}) ([^\r\n]*)/.exec(text);
    const reply: Reply = { ok: false, code: Number(line?.[1] ?? 0), message: line?.[2] ?? text.trim(), lines: [] };
    return new SessionError(`card login refused: ${line ? `ERROR ${line[1]} ${line[2]}` : text.trim()}`, reply);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r`);
    return this.reply();
  }

  /** Like `command`, but a failed reply throws. */
  async run(line: string): Promise<Reply> {
    const reply = await this.command(line);
    if (!reply.ok) throw new SessionError(`${line}: ERROR ${reply.code} ${reply.message}`, reply);
    return reply;
  }

  /** Answer the prompts of a dialogue command (passwords, PINs) in order. */
  async dialogue(line: string, answers: Array<{ prompt: string; answer: string }>): Promise<Reply> {
    this.write(`${line}\r`);
    for (const { prompt, answer } of answers) {
      await this.expect(prompt);
      this.write(`${answer}\r`);
    }
    return this.reply();
  }

  /** The payload of the armored frame in a reply's lines. */
  static frameFrom(reply: Reply, type: FrameType): Buffer {
    const begin = reply.lines.findIndex((l) => l.startsWith('BEGIN '));
    if (begin < 0) throw new SessionError('the reply carries no frame', reply);
    const reader = ArmorReader.begin(reply.lines[begin]);
    if (typeof reader === 'string') throw new SessionError(reader, reply);
    for (const line of reply.lines.slice(begin + 1)) {
      const r = reader.push(line);
      if (!r) continue;
      if (!r.ok) throw new SessionError(r.error, reply);
      if (r.type !== type) throw new SessionError('unexpected frame type', reply);
      return r.payload;
    }
    throw new SessionError('frame not terminated by END', reply);
  }

  /** Run a command that asks for a frame (`SEND FRAME`), then send it. */
  async sendFrame(line: string, type: FrameType, payload: Uint8Array): Promise<Reply> {
    this.write(`${line}\r`);
    for (;;) {
      const raw = (await this.expect('\n')).replace(/\r?\n$/, '');
      if (raw === 'SEND FRAME') break;
      const m = STATUS.exec(raw);
      if (m) return { ok: m[1] === 'OK', code: m[1] === 'OK' ? 0 : Number(m[2]), message: m[3] ?? '', lines: [] };
    }
    this.write(armorFrame(type, payload).map((l) => `${l}\r`).join(''));
    return this.reply();
  }

  close(): void {
    this.#stream.end();
    this.#stream.destroy();
  }
}

/** Drop Telnet commands a server may send first (IAC x y, IAC SB … IAC SE); keep IAC IAC as 0xff. */
function stripTelnet(chunk: Buffer): Buffer {
  if (!chunk.includes(IAC)) return chunk;
  const out: number[] = [];
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] !== IAC) {
      out.push(chunk[i]);
      continue;
    }
    const cmd = chunk[i + 1];
    if (cmd === IAC) {
      out.push(IAC);
      i++;
    } else if (cmd === 250) {
      while (i < chunk.length && !(chunk[i] === IAC && chunk[i + 1] === 240)) i++;
      i++;
    } else if (cmd !== undefined && cmd >= 251) {
      i += 2;
    } else {
      i++;
    }
  }
  return Buffer.from(out);
}
