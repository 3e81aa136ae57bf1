/**
 * The replay rule of spec §5.2: "A counter already seen, or below a 64-wide
 * sliding window over the highest seen, is a replay."
 *
 * The window is the highest counter seen and the 63 below it. The highest
 * is always seen, so its bit is implied and the other 63 fit one signed
 * 64-bit integer column (SQLite INTEGER, PostgreSQL BIGINT) unchanged:
 * bit i of `mask` says counter `highest − 1 − i` was seen. A centre keeps
 * one window per device in its database and applies `checkReplay` as an
 * atomic conditional update (compare the old `highest` and `mask`, write
 * the new ones), so it holds across intake processes.
 */
import { U32_MAX } from './check-in-body.js';

/** Spec §5.2: a 64-wide sliding window. */
export const REPLAY_WINDOW_WIDTH = 64;
const MASK_BITS = BigInt(REPLAY_WINDOW_WIDTH - 1);
const MASK_ALL = (1n << MASK_BITS) - 1n;

export interface ReplayWindow {
  /** Highest counter seen, −1 before the first one. */
  readonly highest: number;
  /** Bit i set: counter highest − 1 − i seen (0 ≤ i < 63); 0 ≤ mask < 2^63. */
  readonly mask: bigint;
}

/** A device that has sent nothing yet (a new device, or a new key). */
export const EMPTY_REPLAY_WINDOW: ReplayWindow = Object.freeze({ highest: -1, mask: 0n });

export type ReplayCheck =
  | { fresh: true; next: ReplayWindow }
  | { fresh: false; why: 'seen' | 'below-window' };

/** Is `counter` new under this window, and what is the window after it is taken? Pure. */
export function checkReplay(window: ReplayWindow, counter: number): ReplayCheck {
  if (!Number.isInteger(counter) || counter < 0 || counter > U32_MAX) throw new RangeError(`counter ${counter} is not a u32`);
  const { highest, mask } = window;
  if (counter > highest) {
    if (highest < 0) return { fresh: true, next: { highest: counter, mask: 0n } };
    const shift = BigInt(counter - highest);
    // The old highest becomes bit shift−1; everything shifts up by `shift`.
    const next = shift >= MASK_BITS + 1n ? 0n : ((mask << shift) | (1n << (shift - 1n))) & MASK_ALL;
    return { fresh: true, next: { highest: counter, mask: next } };
  }
  if (counter === highest) return { fresh: false, why: 'seen' };
  const age = highest - 1 - counter;
  if (age >= REPLAY_WINDOW_WIDTH - 1) return { fresh: false, why: 'below-window' };
  const bit = 1n << BigInt(age);
  if (mask & bit) return { fresh: false, why: 'seen' };
  return { fresh: true, next: { highest, mask: mask | bit } };
}

/** Whether `w` is a window `checkReplay` could have produced (for values read back from storage). */
export function isReplayWindow(w: { highest: unknown; mask: unknown }): w is ReplayWindow {
  return typeof w.highest === 'number' && Number.isInteger(w.highest) && w.highest >= -1 && w.highest <= U32_MAX
    && typeof w.mask === 'bigint' && w.mask >= 0n && w.mask <= MASK_ALL && (w.highest >= 0 || w.mask === 0n);
}
