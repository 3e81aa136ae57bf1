import type { Clock, TimerHandle } from '../../core/clock.js';

/** Wall-clock time for interactive use: the one place that reads Date.now(). */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    // Pending PBX timers (signaling intervals, callbacks) must not keep a
    // finished CLI command alive; the lab keeps itself alive with its sockets.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}
