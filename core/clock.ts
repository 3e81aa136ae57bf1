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
  /**
   * The binary heap, as three parallel arrays: each timer's due time and
   * creation number in typed arrays, so that sifting compares keys that lie
   * side by side instead of following a pointer to each timer object (a
   * fleet's heap holds tens of thousands of timers, and every comparison
   * was a cache miss).
   */
  #at = new Float64Array(1024);
  #seqs = new Float64Array(1024);
  #timers: VirtualTimer[] = [];
  #size = 0;
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
    return this.#size - this.#cancelled;
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
    while (this.#size && this.#timers[0].cancelled) {
      this.#pop();
      this.#cancelled--;
    }
    return this.#size ? this.#timers[0] : undefined;
  }

  readonly #onCancel = (): void => {
    this.#cancelled++;
    // Without this a fleet's cancelled retry timers would grow the heap (and every push/pop) for days of virtual time.
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.#size) this.#compact();
  };

  /** Drop cancelled timers; a sorted array is a valid binary heap. */
  #compact(): void {
    const live = this.#timers.slice(0, this.#size).filter((t) => !t.cancelled).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#timers = live;
    this.#size = live.length;
    for (let i = 0; i < live.length; i++) {
      this.#at[i] = live[i].at;
      this.#seqs[i] = live[i].seq;
    }
    this.#cancelled = 0;
  }

  /** Room for one more timer in the key arrays. */
  #grow(): void {
    const at = new Float64Array(this.#at.length * 2);
    const seqs = new Float64Array(this.#seqs.length * 2);
    at.set(this.#at);
    seqs.set(this.#seqs);
    this.#at = at;
    this.#seqs = seqs;
  }

  /** A key (due time, creation number) comes before the timer in slot `j`. */
  #due(at: number, seq: number, j: number): boolean {
    const atJ = this.#at[j];
    return at < atJ || (at === atJ && seq < this.#seqs[j]);
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from];
    this.#seqs[to] = this.#seqs[from];
    this.#timers[to] = this.#timers[from];
  }

  #put(i: number, timer: VirtualTimer): void {
    this.#at[i] = timer.at;
    this.#seqs[i] = timer.seq;
    this.#timers[i] = timer;
  }

  /** Sift up with a hole: one move per level instead of a swap. */
  #push(timer: VirtualTimer): void {
    if (this.#size === this.#at.length) this.#grow();
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#due(timer.at, timer.seq, parent)) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#put(i, timer);
  }

  /** Remove the top; the last timer sinks from the root through the hole. */
  #pop(): void {
    const n = --this.#size;
    const last = this.#timers[n];
    this.#timers.length = n;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.#due(this.#at[r], this.#seqs[r], l) ? r : l;
      if (this.#due(last.at, last.seq, m)) break;
      this.#move(m, i);
      i = m;
    }
    this.#put(i, last);
  }
}
