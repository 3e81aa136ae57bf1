/**
 * The depot's keypad: digits, `*` (back) and `#` (enter), PIN entry with a
 * timeout, and the lockout after wrong PINs (spec §4.10: failed attempts
 * rate-limited). It checks a PIN through the callback and knows nothing of
 * locks or events; `key-depot.ts` does that.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { MAX_PIN_DIGITS, type DepotUser } from './pin-table.js';

/** An entry with no key pressed for this long is abandoned. */
export const PIN_ENTRY_TIMEOUT_MS = 20_000;
/** How long "Wrong PIN" stays on the display. */
export const WRONG_PIN_SHOW_MS = 3000;
/** Wrong PINs in a row that block the keypad… */
export const MAX_WRONG_PINS = 5;
/** …for this long. */
export const KEYPAD_BLOCK_MS = 5 * 60_000;

export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';

/**
 * ```
 *   Idle ──digit──▶ Entering ──#, PIN good──▶ Idle (the depot opens)
 *     ▲  ◀─* on empty / 20 s─┘  │ #, PIN wrong
 *     │                         ▼
 *     ├──────3 s────────── Wrong ──digit──▶ Entering
 *     └──────5 min──────── Blocked ◀── 5th wrong PIN in a row
 * ```
 */
export enum KeypadState {
  Idle = 'idle',
  Entering = 'entering',
  Wrong = 'wrong',
  Blocked = 'blocked',
}

const TRANSITIONS: TransitionTable<KeypadState> = {
  [KeypadState.Idle]: [KeypadState.Entering],
  [KeypadState.Entering]: [KeypadState.Entering, KeypadState.Idle, KeypadState.Wrong, KeypadState.Blocked],
  [KeypadState.Wrong]: [KeypadState.Entering, KeypadState.Idle],
  [KeypadState.Blocked]: [KeypadState.Idle],
};

export interface DepotKeypadOptions {
  clock: Clock;
  check: (pin: string) => DepotUser | undefined;
  onOpen: (user: DepotUser) => void;
  onWrong: (attempts: number) => void;
}

export class DepotKeypad {
  readonly #o: DepotKeypadOptions;
  readonly #machine: StateMachine<KeypadState>;
  #digits = '';
  #wrongInRow = 0;
  #timer: TimerHandle | undefined;
  #blockedUntil = 0;

  constructor(options: DepotKeypadOptions) {
    this.#o = options;
    this.#machine = new StateMachine('depot keypad', TRANSITIONS, KeypadState.Idle);
  }

  get state(): KeypadState {
    return this.#machine.state;
  }

  /** Digits typed so far (the display shows them as `*`). */
  get entered(): number {
    return this.#digits.length;
  }

  get wrongInRow(): number {
    return this.#wrongInRow;
  }

  /** Milliseconds the keypad stays blocked. */
  blockedForMs(): number {
    return this.#machine.is(KeypadState.Blocked) ? Math.max(0, this.#blockedUntil - this.#o.clock.now()) : 0;
  }

  press(key: KeypadKey): void {
    if (this.#machine.is(KeypadState.Blocked)) return;
    if (key >= '0' && key <= '9') {
      if (!this.#machine.is(KeypadState.Entering)) this.#digits = '';
      if (this.#digits.length < MAX_PIN_DIGITS) this.#digits += key;
      this.#go(KeypadState.Entering, PIN_ENTRY_TIMEOUT_MS);
    } else if (key === '*') {
      if (!this.#machine.is(KeypadState.Entering)) return;
      this.#digits = this.#digits.slice(0, -1);
      if (this.#digits === '') this.#go(KeypadState.Idle);
      else this.#go(KeypadState.Entering, PIN_ENTRY_TIMEOUT_MS);
    } else if (key === '#' && this.#machine.is(KeypadState.Entering)) {
      const pin = this.#digits;
      this.#digits = '';
      const user = this.#o.check(pin);
      if (user) {
        this.#wrongInRow = 0;
        this.#go(KeypadState.Idle);
        this.#o.onOpen(user);
        return;
      }
      this.#wrongInRow++;
      if (this.#wrongInRow >= MAX_WRONG_PINS) {
        this.#blockedUntil = this.#o.clock.now() + KEYPAD_BLOCK_MS;
        this.#go(KeypadState.Blocked, KEYPAD_BLOCK_MS);
        this.#wrongInRow = 0;
        this.#o.onWrong(MAX_WRONG_PINS);
      } else {
        this.#go(KeypadState.Wrong, WRONG_PIN_SHOW_MS);
        this.#o.onWrong(this.#wrongInRow);
      }
    }
  }

  /** Power cut: timers go; a new firmware instance starts with a fresh keypad. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #go(to: KeypadState, backToIdleAfterMs?: number): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#machine.transition(to);
    if (backToIdleAfterMs !== undefined) {
      this.#timer = this.#o.clock.setTimer(backToIdleAfterMs, () => {
        this.#timer = undefined;
        this.#digits = '';
        this.#machine.transition(KeypadState.Idle);
      });
    }
  }
}
