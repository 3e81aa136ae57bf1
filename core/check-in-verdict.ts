/**
 * What the centre answers to an authenticated check-in (spec §5.2), as one
 * pure function the intake calls after the tag verified: replay first, then
 * clock skew. Both naks and the ack consume the counter — every counter is
 * good for one answer — so the returned window is stored in every case but
 * a replay (where it is unchanged).
 */
import { checkReplay, type ReplayWindow } from './replay-window.js';

/** Spec §5.2: "A time more than 120 s from the centre's clock is clock-skew." */
export const MAX_CLOCK_SKEW_S = 120;

export type CheckInVerdict = 'accept' | 'replay' | 'clock-skew';

/** True when the sender's `time` is more than 120 s away from `nowS` (both Unix seconds). */
export function isClockSkewed(time: number, nowS: number): boolean {
  return Math.abs(time - nowS) > MAX_CLOCK_SKEW_S;
}

/** Unix seconds of a millisecond clock reading, as the telegram carries time. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export function judgeCheckIn(window: ReplayWindow, counter: number, time: number, nowS: number): { verdict: CheckInVerdict; window: ReplayWindow } {
  const replay = checkReplay(window, counter);
  if (!replay.fresh) return { verdict: 'replay', window };
  return { verdict: isClockSkewed(time, nowS) ? 'clock-skew' : 'accept', window: replay.next };
}
