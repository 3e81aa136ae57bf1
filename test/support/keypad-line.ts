import { connect, type Socket } from 'node:net';
import { pollUntil } from './poll-until.js';

/** A person at a keypad line (a depot's, a station's): one command, its reply up to the status line. */
export class KeypadLine {
  #buf = '';
  /** What the line said on connecting, up to its first status line. */
  greeting = '';
  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => (this.#buf += d.toString('utf8')));
  }

  static async open(port: number): Promise<KeypadLine> {
    const line = await new Promise<KeypadLine>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new KeypadLine(s)));
      s.once('error', reject);
    });
    line.greeting = await line.reply();
    return line;
  }

  async reply(): Promise<string> {
    await pollUntil(() => /(^|\r\n)(OK|ERROR [^\r]*)\r\n$/.test(this.#buf), 'a status line from the keypad line', 10_000);
    const out = this.#buf;
    this.#buf = '';
    return out;
  }

  /** What the line shows on its own (no status line), up to `pattern`. */
  async until(pattern: RegExp, what: string, timeoutMs = 10_000): Promise<string> {
    await pollUntil(() => pattern.test(this.#buf), what, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}; the line showed: ${JSON.stringify(this.#buf.slice(-400))}`);
    });
    const out = this.#buf;
    this.#buf = '';
    return out;
  }

  async cmd(line: string): Promise<string> {
    this.socket.write(`${line}\r`);
    return this.reply();
  }
}
