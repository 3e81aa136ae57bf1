import type { TerminalEndpoint } from '../../src/adapters/line-pair.js';

export interface TerminalOptions {
  /**
   * How text becomes bytes and back: 'latin1' (one byte a character, the
   * default: modems and raw lines) or 'utf8' (the admin session language).
   */
  encoding?: 'latin1' | 'utf8';
  /** send() writes in pieces of this many characters unless told otherwise (1: awkward boundaries on purpose); whole by default. */
  chunk?: number;
}

/**
 * The terminal end of an in-process line (`createLinePair`'s DTE side) in a
 * test: send() types into the line, everything the device sends back is kept
 * until take(). The one terminal of the test suite; `AdminTerminal`
 * (pbx-harness.ts) is this with a PBX admin session on the other end.
 */
export class Terminal {
  #out = '';
  readonly #encoding: 'latin1' | 'utf8';
  readonly #chunk: number;

  constructor(readonly dte: TerminalEndpoint, options: TerminalOptions = {}) {
    this.#encoding = options.encoding ?? 'latin1';
    this.#chunk = options.chunk ?? Infinity;
    dte.onData((d) => {
      this.#out += Buffer.from(d).toString(this.#encoding);
    });
  }

  /** Type `text` into the line, in pieces of `chunk` characters. */
  send(text: string, chunk = this.#chunk): void {
    for (let i = 0; i < text.length; i += chunk) this.dte.write(Buffer.from(text.slice(i, i + chunk), this.#encoding));
  }

  /** Everything received since the last take(). */
  take(): string {
    const out = this.#out;
    this.#out = '';
    return out;
  }

  /** What take() would return, left in place. */
  peek(): string {
    return this.#out;
  }
}
