import { VirtualClock, type TimerHandle } from '../../core/clock.js';

/**
 * The virtual clock of `hicom-sim lab --virtual-time`: time moves only when
 * a test rig advances it (control commands `clock.advance`, `run-until`),
 * but work that is due now — a timer of 0 ms that a byte from a real socket
 * or a command set — runs at once on the event loop, so a terminal typing
 * into an admin port is answered without anyone advancing the clock.
 */
export class VirtualLabClock extends VirtualClock {
  #pumpQueued = false;

  override setTimer(delayMs: number, fn: () => void): TimerHandle {
    const handle = super.setTimer(delayMs, fn);
    if (delayMs <= 0 && !this.#pumpQueued) {
      this.#pumpQueued = true;
      setImmediate(() => {
        this.#pumpQueued = false;
        this.runUntil(this.now());
      });
    }
    return handle;
  }
}
