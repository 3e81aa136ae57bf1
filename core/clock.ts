/**
 * The only source of time the firmware, the modems and the network ever see.
 *
 * Contract:
 * - `now()` is milliseconds since the Unix epoch, monotonic non-decreasing.
 * - `setTimer(delay, fn)` calls `fn` once, no earlier than `now() + delay`.
 *   Timers due at the same instant fire in the order they were set.
 * - `cancel()` on a fired or cancelled timer is a no-op.
 *
 * Firmware code never calls `Date.now()` or `setTimeout`; it gets a Clock in
 * its constructor, so a week of virtual time runs in milliseconds.
 */
export interface Clock {
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  fired: boolean;
}

/**
 * Below this many cancelled timers the heap is never compacted: popping them
 * lazily is cheaper than rebuilding a small heap.
 */
const COMPACT_MIN_CANCELLED = 1024;

/**
 * Deterministic clock for tests and scenarios: time moves only when
 * `advance()` or `runUntil()` is called, and every due timer fires in
 * (time, creation order). Timers live in a binary heap so a fleet of
 * thousands of PBXs with their retry timers stays O(log n) per event.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: VirtualTimer[] = [];
  #fired = 0;
  /** Cancelled timers still in the heap (retry and idle timers are mostly cancelled, not fired). */
  #cancelled = 0;

  constructor(startMs = Date.UTC(2026, 0, 5, 8, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false, fired: false };
    this.#push(timer);
    return { cancel: () => this.#cancel(timer) };
  }

  /** Timers still waiting (cancelled ones excluded). */
  get pending(): number {
    return this.#heap.length - this.#cancelled;
  }

  /** How many timers have fired since construction (for benchmarks). */
  get fired(): number {
    return this.#fired;
  }

  /** Move time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    this.runUntil(this.#now + ms);
  }

  /** Fire every timer due up to and including `t`, then set now to `t`. */
  runUntil(t: number): void {
    for (;;) {
      const next = this.#peek();
      if (!next || next.at > t) break;
      this.#pop();
      this.#now = next.at;
      this.#fired++;
      next.fired = true;
      next.fn();
    }
    if (t > this.#now) this.#now = t;
  }

  /**
   * Fire timers until `done()` is true or nothing is left before `limitMs`
   * from now. Returns whether `done()` became true.
   */
  runUntilIdleOr(done: () => boolean, limitMs = 7 * 24 * 3600_000): boolean {
    const end = this.#now + limitMs;
    while (!done()) {
      const next = this.#peek();
      if (!next || next.at > end) return done();
      this.runUntil(next.at);
    }
    return true;
  }

  #peek(): VirtualTimer | undefined {
    while (this.#heap.length && this.#heap[0].cancelled) {
      this.#pop();
      this.#cancelled--;
    }
    return this.#heap[0];
  }

  #cancel(timer: VirtualTimer): void {
    if (timer.cancelled || timer.fired) return;
    timer.cancelled = true;
    this.#cancelled++;
    // Without this a fleet's cancelled retry timers would grow the heap (and every push/pop) for days of virtual time.
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.#heap.length) this.#compact();
  }

  /** Drop cancelled timers; a sorted array is a valid binary heap. */
  #compact(): void {
    this.#heap = this.#heap.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#cancelled = 0;
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(timer: VirtualTimer): void {
    const h = this.#heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  #pop(): VirtualTimer | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l], h[m])) m = l;
        if (r < h.length && this.#less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
