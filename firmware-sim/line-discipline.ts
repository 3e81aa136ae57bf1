/**
 * Turns the bytes a terminal or a program sends into lines, the way a PBX
 * admin port does: echo (or `*` for passwords), backspace/DEL editing,
 * CR, LF or CR LF as one line end, a length limit, and no reaction to
 * control bytes or binary garbage beyond dropping them.
 */
export const MAX_LINE = 1024;

const BS = 0x08;
const DEL = 0x7f;
const CR = 0x0d;
const LF = 0x0a;
const CTRL_C = 0x03;
const CTRL_U = 0x15;

export interface LineDisciplineOptions {
  /** Writes bytes back to the terminal (echo). */
  echo: (text: string) => void;
  /** A complete line (without its end). */
  onLine: (line: string) => void;
  /** A line longer than MAX_LINE ended: the whole line is discarded. */
  onOverflow: (length: number) => void;
  /** Ctrl-C: abandon the current line or dialogue. */
  onInterrupt: () => void;
}

export class LineDiscipline {
  echo = true;
  /** Echo `*` for each character instead of the character (passwords). */
  mask = false;
  #buf: string[] = [];
  #overflow = 0;
  #lastCr = false;
  readonly #o: LineDisciplineOptions;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(options: LineDisciplineOptions) {
    this.#o = options;
  }

  feed(data: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (b >= 0x20 && b !== DEL) continue;
      if (i > start) this.#text(data.subarray(start, i));
      start = i + 1;
      this.#control(b);
    }
    if (start < data.length) this.#text(data.subarray(start));
  }

  #text(bytes: Uint8Array): void {
    this.#lastCr = false;
    const text = this.#decoder.decode(bytes, { stream: true });
    for (const ch of text) {
      if (ch === '\uFFFD') continue; // invalid UTF-8: garbage, not a character
      if (this.#overflow > 0 || this.#buf.length >= MAX_LINE) {
        this.#overflow = Math.max(this.#overflow, this.#buf.length) + 1;
        continue;
      }
      this.#buf.push(ch);
      if (this.echo) this.#o.echo(this.mask ? '*' : ch);
    }
  }

  #control(b: number): void {
    if (b === LF && this.#lastCr) {
      this.#lastCr = false;
      return;
    }
    this.#lastCr = b === CR;
    switch (b) {
      case CR:
      case LF: {
        if (this.echo) this.#o.echo('\r\n');
        if (this.#overflow > 0) {
          const n = this.#overflow;
          this.#overflow = 0;
          this.#buf = [];
          this.#o.onOverflow(n);
          return;
        }
        const line = this.#buf.join('');
        this.#buf = [];
        this.#o.onLine(line);
        return;
      }
      case BS:
      case DEL:
        if (this.#buf.length && this.#overflow === 0) {
          this.#buf.pop();
          if (this.echo) this.#o.echo('\b \b');
        }
        return;
      case CTRL_U:
        if (this.echo) this.#o.echo('\b \b'.repeat(this.#buf.length));
        this.#buf = [];
        return;
      case CTRL_C:
        this.#buf = [];
        this.#overflow = 0;
        if (this.echo) this.#o.echo('^C\r\n');
        this.#o.onInterrupt();
        return;
      default:
        return; // other control bytes and garbage: dropped
    }
  }
}
