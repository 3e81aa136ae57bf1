import type { Clock, TimerHandle } from '../core/clock.js';

/** S25 counts in hundredths of a second (Hayes). */
export const DTR_DETECT_UNIT_MS = 10;

export interface DtrWatchOptions {
  clock: Clock;
  /** S25 in milliseconds, read at each drop. */
  detectMs(): number;
  /** DTR stayed off for the detect time. */
  onDrop(): void;
}

/**
 * The DTE's DTR as the modem acts on it: a drop counts only once DTR has
 * stayed off for S25, so a glitch on the cable is not a hang-up. What a
 * drop does (&D0–&D3) is the modem's business.
 */
export class DtrWatch {
  readonly #options: DtrWatchOptions;
  #on = true;
  #timer: TimerHandle | undefined;

  constructor(options: DtrWatchOptions) {
    this.#options = options;
  }

  /** DTR as last reported, debounced or not (auto-answer looks at the level). */
  get on(): boolean {
    return this.#on;
  }

  /** The DTE reported its lines. */
  update(dtr: boolean): void {
    if (dtr === this.#on) return;
    this.#on = dtr;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!dtr) this.#timer = this.#options.clock.setTimer(this.#options.detectMs(), () => this.#dropped());
  }

  #dropped(): void {
    this.#timer = undefined;
    this.#options.onDrop();
  }
}
