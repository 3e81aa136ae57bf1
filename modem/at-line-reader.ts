import { StateMachine, type TransitionTable } from '../core/state-machine.js';

/**
 * Assembles command lines from DTE bytes in command state (V.250 §5.2.1–
 * §5.2.4): finds the "AT"/"at" prefix (mixed case is not a prefix), edits
 * with S5, ends the line at S3, runs "A/"/"a/" at once, echoes when E1.
 */

/**
 * Longest body (after "AT") the modem accepts. V.250 requires at least 40
 * characters; 255 matches common modems. Longer lines answer ERROR.
 */
export const AT_LINE_MAX = 255;

export interface AtLineReaderHooks {
  /** S3, S5 and E are read on every byte: ATS3= takes effect for the next line. */
  cr(): number;
  backspace(): number;
  echo(): boolean;
  write(text: string): void;
  /** A complete line: body without "AT" and without S3; `tooLong` when it exceeded AT_LINE_MAX. */
  onLine(body: string, tooLong: boolean): void;
  /** "A/": repeat the previous command line. */
  onRepeat(): void;
}

/**
 * Reader states.
 *
 * ```
 *            "A"/"a"            "T"/"t" (same case)
 *   Idle ───────────────▶ GotA ─────────────────────▶ InLine
 *    ▲                     │ "/" (repeat) or            │ S3 (line done),
 *    └─────────────────────┘ anything else              │ reset()
 *    └──────────────────────────────────────────────────┘
 * ```
 */
enum ReaderState {
  Idle = 'idle',
  GotA = 'got-a',
  InLine = 'in-line',
}

/** The moves of the diagram above; any other is a bug and throws. */
const READER_MOVES: TransitionTable<ReaderState> = {
  [ReaderState.Idle]: [ReaderState.GotA],
  [ReaderState.GotA]: [ReaderState.InLine, ReaderState.Idle],
  [ReaderState.InLine]: [ReaderState.Idle],
};

export class AtLineReader {
  readonly #machine = new StateMachine('AT line reader', READER_MOVES, ReaderState.Idle);
  #prefixA = 'A';
  #body = '';
  #tooLong = false;

  constructor(private readonly hooks: AtLineReaderHooks) {}

  reset(): void {
    if (this.#machine.state !== ReaderState.Idle) this.#machine.transition(ReaderState.Idle);
    this.#body = '';
    this.#tooLong = false;
  }

  feed(bytes: Uint8Array): void {
    for (const b of bytes) this.#byte(b);
  }

  #byte(b: number): void {
    if (this.hooks.echo()) this.hooks.write(String.fromCharCode(b));
    const ch = String.fromCharCode(b);
    switch (this.#machine.state) {
      case ReaderState.Idle:
        this.#maybeA(ch);
        return;
      case ReaderState.GotA:
        if ((this.#prefixA === 'A' && ch === 'T') || (this.#prefixA === 'a' && ch === 't')) {
          this.#machine.transition(ReaderState.InLine);
          this.#body = '';
          this.#tooLong = false;
        } else if (ch === '/') {
          this.#machine.transition(ReaderState.Idle);
          this.hooks.onRepeat();
        } else {
          this.#machine.transition(ReaderState.Idle);
          this.#maybeA(ch);
        }
        return;
      case ReaderState.InLine:
        this.#inLine(b, ch);
    }
  }

  #maybeA(ch: string): void {
    if (ch === 'A' || ch === 'a') {
      this.#prefixA = ch;
      this.#machine.transition(ReaderState.GotA);
    }
  }


  #inLine(b: number, ch: string): void {
    if (b === this.hooks.cr()) {
      const body = this.#body;
      const tooLong = this.#tooLong;
      this.reset();
      this.hooks.onLine(body, tooLong);
    } else if (b === this.hooks.backspace()) {
      // V.250 §5.2.2: S5 deletes the previous character; the prefix stays.
      this.#body = this.#body.slice(0, -1);
    } else if (b < 0x20 || b === 0x7f) {
      // Other control characters are ignored (V.250 §5.2.2).
    } else if (this.#body.length >= AT_LINE_MAX) {
      this.#tooLong = true;
    } else {
      this.#body += ch;
    }
  }
}
