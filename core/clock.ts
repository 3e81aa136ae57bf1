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

/**
 * One pending timer, and its own handle: a fleet sets millions of timers, and
 * a handle object with a cancel closure beside each doubled what the
 * garbage collector had to sweep.
 */
class VirtualTimer implements TimerHandle {
  cancelled = false;
  fired = false;

  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
    /** The owning clock's count of cancelled timers (shared by all of its timers). */
    readonly onCancel: () => void,
  ) {}

  cancel(): void {
    if (this.cancelled || this.fired) return;
    this.cancelled = true;
    this.onCancel();
  }
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
    const timer = new VirtualTimer(this.#now + Math.max(0, delayMs), this.#seq++, fn, this.#onCancel);
    this.#push(timer);
    return timer;
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

  readonly #onCancel = (): void => {
    this.#cancelled++;
    // Without this a fleet's cancelled retry timers would grow the heap (and every push/pop) for days of virtual time.
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.#heap.length) this.#compact();
  };

  /** Drop cancelled timers; a sorted array is a valid binary heap. */
  #compact(): void {
    this.#heap = this.#heap.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#cancelled = 0;
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  /** Sift up with a hole: one write per level instead of a swap. */
  #push(timer: VirtualTimer): void {
    const h = this.#heap;
    let i = h.length;
    h.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(timer, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = timer;
  }

  #pop(): VirtualTimer | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.#less(h[r], h[l]) ? r : l;
        if (!this.#less(h[m], last)) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
