import type { Clock, TimerHandle } from '../../core/clock.js';

/**
 * The clock of `hicom-sim fleet --speed X`: timers run X times faster than
 * asked, while `now()` stays the wall clock. A device's schedule (its
 * check-in interval, timeouts) passes X times faster, so N devices load a
 * centre like N·X devices — yet every telegram carries real Unix time, so
 * the centre's 120 s clock-skew rule holds, and latencies measured with
 * `now()` are real milliseconds.
 *
 * This bends the Clock contract on purpose (a timer fires `delay / X`
 * after `now()`, not `delay`); use it only for load generation, never for
 * a device whose behaviour is under test.
 */
export class ScaledClock implements Clock {
  constructor(readonly speed: number) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed ${speed} is not a positive number`);
  }

  /** Wall-clock time with sub-millisecond resolution (latencies of a loopback round trip are well under 1 ms). */
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs / this.speed));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}
