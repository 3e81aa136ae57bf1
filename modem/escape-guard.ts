import type { Clock, TimerHandle } from '../core/clock.js';

/** S12 counts in fiftieths of a second (Hayes). */
export const GUARD_TIME_UNIT_MS = 20;
/** Escape characters in a row that make the escape sequence ("+++"). */
const ESCAPE_LENGTH = 3;
/** S2 above this disables the escape sequence (Hayes). */
const MAX_ESCAPE_CHAR = 127;

export interface EscapeGuardOptions {
  clock: Clock;
  /** S2, read on every byte so ATS2= takes effect at once. */
  escapeChar(): number;
  /** S12 in milliseconds (0: no guard time). */
  guardMs(): number;
  /** The sequence was confirmed by a guard time of silence after it. */
  onEscape(): void;
}

/**
 * The Hayes escape sequence while online: a guard time of silence, three
 * escape characters, each within the guard time of the one before, and a
 * guard time of silence again. Only then does `onEscape` fire, so "+++" in
 * a file transfer stays data. The bytes themselves still go to the line.
 */
export class EscapeGuard {
  readonly #options: EscapeGuardOptions;
  #lastAt = 0;
  #count = 0;
  #timer: TimerHandle | undefined;

  constructor(options: EscapeGuardOptions) {
    this.#options = options;
  }

  /** Going online (CONNECT, ATO): the guard time before the first escape character counts from now. */
  restart(): void {
    this.cancel();
    this.#lastAt = this.#options.clock.now();
    this.#count = 0;
  }

  /** Leaving the online state: a sequence under way is forgotten. */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /**
   * Watch a chunk of online data from the DTE. A chunk arrives at one
   * instant, so the clock is read once for it. With a guard time, no time
   * passes inside a chunk: a sequence can only be built from chunks that
   * hold nothing but escape characters, and any other chunk (nearly every
   * one) breaks it without a look at its bytes.
   */
  watch(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const now = this.#options.clock.now();
    const escape = this.#options.escapeChar();
    const guard = this.#options.guardMs();
    this.cancel();
    if (escape > MAX_ESCAPE_CHAR || (guard > 0 && !onlyEscapes(bytes, escape))) {
      this.#count = 0;
      this.#lastAt = now;
      return;
    }
    for (let i = 0; i < bytes.length; i++) {
      const gap = now - this.#lastAt;
      const inTime = this.#count === 0 ? gap >= guard : gap < guard || guard === 0;
      if (bytes[i] === escape && this.#count < ESCAPE_LENGTH && inTime) this.#count++;
      else this.#count = 0;
      this.#lastAt = now;
    }
    if (this.#count === ESCAPE_LENGTH) this.#timer = this.#options.clock.setTimer(guard, () => this.#confirmed());
  }

  #confirmed(): void {
    this.#timer = undefined;
    this.#count = 0;
    this.#options.onEscape();
  }
}

/** At most a whole sequence, and every byte the escape character. */
function onlyEscapes(bytes: Uint8Array, escape: number): boolean {
  if (bytes.length > ESCAPE_LENGTH) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== escape) return false;
  return true;
}
