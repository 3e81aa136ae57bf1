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
 * The handle of one timer: which slot of its clock the timer took, and its
 * creation number, by which the clock tells whether the slot still holds
 * this timer. A fleet sets millions of timers, so the handle is all the
 * clock allocates per timer, and the clock never reads it while the timer
 * waits or fires (in a fleet's heap each such read was a cache miss).
 */
class VirtualTimer implements TimerHandle {
  constructor(
    readonly seq: number,
    readonly slot: number,
    /** The owning clock's cancel (shared by all of its timers). */
    readonly onCancel: (timer: VirtualTimer) => void,
  ) {}

  cancel(): void {
    this.onCancel(this);
  }
}

/**
 * Below this many cancelled timers the heap is never compacted: popping them
 * lazily is cheaper than rebuilding a small heap.
 */
const COMPACT_MIN_CANCELLED = 1024;
const INITIAL_CAPACITY = 1024;

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
   * The binary heap holds no object pointers: each entry is a timer's due
   * time, creation number and slot, in typed arrays, so that sifting
   * compares keys that lie side by side and moves numbers (a fleet's heap
   * holds tens of thousands of timers; following a pointer per comparison
   * was a cache miss, and every pointer moved into the old-generation array
   * was a write barrier). A timer's callback stays in `#fns` at its slot
   * from push to pop, with the timer's creation number in `#slotSeq`, and a
   * cancelled one is marked in `#dead` by slot: firing or dropping a timer
   * reads these arrays, never the handle.
   */
  #at = new Float64Array(INITIAL_CAPACITY);
  #seqs = new Float64Array(INITIAL_CAPACITY);
  #slotOf = new Int32Array(INITIAL_CAPACITY);
  #size = 0;
  /** Callbacks by slot; undefined from its timer's cancel or pop until a new timer takes the slot. */
  #fns: Array<(() => void) | undefined> = [];
  /** The creation number of the timer in each slot, -1 while the slot is free. */
  #slotSeq = new Float64Array(INITIAL_CAPACITY);
  #dead = new Uint8Array(INITIAL_CAPACITY);
  #free: number[] = [];
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
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#fns.length;
    const seq = this.#seq++;
    if (slot === this.#fns.length) this.#fns.push(fn);
    else this.#fns[slot] = fn;
    if (slot >= this.#dead.length) {
      this.#dead = grown(this.#dead, Uint8Array);
      this.#slotSeq = grown(this.#slotSeq, Float64Array);
    }
    this.#slotSeq[slot] = seq;
    this.#push(this.#now + Math.max(0, delayMs), seq, slot);
    return new VirtualTimer(seq, slot, this.#onCancel);
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
      if (!this.#dropCancelled() || this.#at[0] > t) break;
      this.#now = this.#at[0];
      // The top is live (#dropCancelled), so its callback is there.
      const fn = this.#release(this.#slotOf[0])!;
      this.#pop();
      this.#fired++;
      fn();
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
      if (!this.#dropCancelled() || this.#at[0] > end) return done();
      this.runUntil(this.#at[0]);
    }
    return true;
  }

  /** Pop cancelled timers off the top; whether a live one is left there. */
  #dropCancelled(): boolean {
    while (this.#size > 0) {
      const slot = this.#slotOf[0];
      if (this.#dead[slot] === 0) return true;
      this.#release(slot);
      this.#pop();
      this.#cancelled--;
    }
    return false;
  }

  /** Free a slot whose timer leaves the heap; returns its callback (undefined for a cancelled one). */
  #release(slot: number): (() => void) | undefined {
    const fn = this.#fns[slot];
    this.#fns[slot] = undefined;
    this.#slotSeq[slot] = -1;
    this.#dead[slot] = 0;
    this.#free.push(slot);
    return fn;
  }

  /** A timer still waiting in its slot is marked dead there; a fired, dropped or cancelled one is left alone. */
  readonly #onCancel = (timer: VirtualTimer): void => {
    if (this.#slotSeq[timer.slot] !== timer.seq || this.#dead[timer.slot] === 1) return;
    this.#dead[timer.slot] = 1;
    // The callback goes now, not when the dead entry reaches the top: it holds what its owner
    // held (a no-answer timer: the whole call attempt), and kept until the timer's due time a
    // fleet's cancelled timers carried every busy retry out of the young generation into the old.
    this.#fns[timer.slot] = undefined;
    this.#cancelled++;
    // Without this a fleet's cancelled retry timers would grow the heap (and every push/pop) for days of virtual time.
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.#size) this.#compact();
  };

  /** Drop cancelled timers; a sorted array is a valid binary heap. */
  #compact(): void {
    const live: number[] = [];
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#slotOf[i];
      if (this.#dead[slot] === 0) live.push(i);
      else this.#release(slot);
    }
    live.sort((a, b) => this.#at[a] - this.#at[b] || this.#seqs[a] - this.#seqs[b]);
    const at = new Float64Array(this.#at.length);
    const seqs = new Float64Array(this.#seqs.length);
    const slotOf = new Int32Array(this.#slotOf.length);
    live.forEach((i, k) => {
      at[k] = this.#at[i];
      seqs[k] = this.#seqs[i];
      slotOf[k] = this.#slotOf[i];
    });
    this.#at = at;
    this.#seqs = seqs;
    this.#slotOf = slotOf;
    this.#size = live.length;
    this.#cancelled = 0;
  }

  /** A key (due time, creation number) comes before the entry at heap position `j`. */
  #due(at: number, seq: number, j: number): boolean {
    const atJ = this.#at[j];
    return at < atJ || (at === atJ && seq < this.#seqs[j]);
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from];
    this.#seqs[to] = this.#seqs[from];
    this.#slotOf[to] = this.#slotOf[from];
  }

  #put(i: number, at: number, seq: number, slot: number): void {
    this.#at[i] = at;
    this.#seqs[i] = seq;
    this.#slotOf[i] = slot;
  }

  /** Sift up with a hole: one move per level instead of a swap. */
  #push(at: number, seq: number, slot: number): void {
    if (this.#size === this.#at.length) {
      this.#at = grown(this.#at, Float64Array);
      this.#seqs = grown(this.#seqs, Float64Array);
      this.#slotOf = grown(this.#slotOf, Int32Array);
    }
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#due(at, seq, parent)) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#put(i, at, seq, slot);
  }

  /** Remove the top; the last entry sinks from the root through the hole. */
  #pop(): void {
    const n = --this.#size;
    if (n === 0) return;
    const at = this.#at[n];
    const seq = this.#seqs[n];
    const slot = this.#slotOf[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.#due(this.#at[r], this.#seqs[r], l) ? r : l;
      if (this.#due(at, seq, m)) break;
      this.#move(m, i);
      i = m;
    }
    this.#put(i, at, seq, slot);
  }
}

/** A typed array of twice the length with `a`'s contents. */
function grown<A extends Float64Array | Int32Array | Uint8Array>(a: A, make: new (length: number) => A): A {
  const b = new make(a.length * 2);
  b.set(a);
  return b;
}
