/**
 * The send counter of a device that checks in (spec §5.2: "never reused
 * under one key"), kept in non-volatile memory without a write per
 * telegram: before a counter beyond the reservation is used, the next
 * block of counters is reserved durably. After a power cut the device
 * starts at the reservation, skipping at most one block — never going back.
 */

/** Counters reserved per write: one flash or state write an hour at one check-in a minute. */
export const COUNTER_RESERVATION = 64;
const U32_MAX = 0xffff_ffff;

export class ReservedCounter {
  #next: number;
  #reservedUpTo: number;
  readonly #persist: (upTo: number) => void;

  /**
   * `reservedUpTo` is what was stored (0 for a new device or key): every
   * counter below it may have been used. `persist(upTo)` must be durable
   * when it returns.
   */
  constructor(reservedUpTo: number, persist: (upTo: number) => void) {
    if (!Number.isInteger(reservedUpTo) || reservedUpTo < 0 || reservedUpTo > U32_MAX + 1) throw new RangeError(`counter reservation ${reservedUpTo} is not 0–2^32`);
    this.#next = reservedUpTo;
    this.#reservedUpTo = reservedUpTo;
    this.#persist = persist;
  }

  /** The next unused counter, or undefined when the key's counters are used up (a new key is needed). */
  next(): number | undefined {
    if (this.#next > U32_MAX) return undefined;
    if (this.#next >= this.#reservedUpTo) {
      const upTo = Math.min(this.#next + COUNTER_RESERVATION, U32_MAX + 1);
      this.#persist(upTo);
      this.#reservedUpTo = upTo;
    }
    return this.#next++;
  }

  /** The counter `next()` will return (for status displays). */
  peek(): number {
    return this.#next;
  }
}
