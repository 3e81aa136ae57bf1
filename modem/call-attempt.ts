import type { Clock, TimerHandle } from '../core/clock.js';
import type { OutgoingCall } from '../core/call.js';

/**
 * One dial or answer attempt of a modem: the timers it runs (dial delay, S7)
 * and the call it is placing. Ending the attempt stops both, so nothing of
 * an abandoned attempt can fire into the next one.
 */
export class CallAttempt {
  readonly #clock: Clock;
  #timers: TimerHandle[] = [];
  #call: OutgoingCall | undefined;
  #ended = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get ended(): boolean {
    return this.#ended;
  }

  after(ms: number, fn: () => void): void {
    if (!this.#ended) this.#timers.push(this.#clock.setTimer(ms, fn));
  }

  /** The call being placed: cancelled if the attempt ends before it connects. */
  hold(call: OutgoingCall): void {
    this.#call = call;
  }

  /** The call connected or failed on its own: no longer the attempt's to cancel. */
  letGo(): void {
    this.#call = undefined;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
  }
}
