import type { VirtualClock } from '../../core/clock.js';

/** What the driver watches: visits doing something other than waiting on the clock (`MaintenanceRunner.working`). */
export interface DrivenWork {
  readonly working: number;
}

/** Spins of the event loop without any progress after which the driver gives up: a promise nothing will ever settle. */
const MAX_IDLE_SPINS = 1_000_000;
/** How far ahead the driver looks for a timer before it says nothing is left to run. */
const LOOKAHEAD_MS = 30 * 24 * 3600_000;

/**
 * Run `work` (a maintenance window, a week of them) on a virtual clock: the
 * clock moves on only when every visit waits on it (`runner.working` is 0),
 * and then straight to the next timer, so a night of thousands of visits
 * takes as long as the work itself and no wall-clock time is spent
 * waiting. Work that also waits on real I/O (a PostgreSQL query) holds
 * `working` above 0 meanwhile, so the clock never runs ahead of it.
 */
export async function runInVirtualTime<T>(clock: VirtualClock, runner: DrivenWork, work: Promise<T>): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  work.then((v) => { value = v; done = true; }, (e: unknown) => { error = e; done = true; });
  for (let idle = 0; !done; idle++) {
    if (idle > MAX_IDLE_SPINS) throw new Error('runInVirtualTime: no progress (a visit waits on something that neither the clock nor I/O will bring)');
    await new Promise<void>((r) => setImmediate(r));
    if (done || runner.working > 0) continue;
    const fired = clock.fired;
    if (clock.runUntilIdleOr(() => clock.fired > fired, LOOKAHEAD_MS)) idle = 0;
    else if (runner.working === 0) await new Promise<void>((r) => setTimeout(r, 5));
  }
  if (error !== undefined) throw error;
  return value as T;
}
