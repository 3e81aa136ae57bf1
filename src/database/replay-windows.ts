import { sql, type Kysely } from 'kysely';
import { checkReplay, isReplayWindow, type ReplayWindow } from '../../core/replay-window.js';
import type { Database } from './schema.js';
import { affected, query, type Work } from './work.js';

/** A compare-and-set that lost this many races in a row means something is wrong, not busy. */
export const MAX_WINDOW_RACES = 16;

export class ReplayWindowError extends Error {
  override name = 'ReplayWindowError';
}

/** What `decide` makes of a window: the verdict, and the window to store (undefined: leave it as it is). */
export interface WindowDecision<V> {
  verdict: V;
  next: ReplayWindow | undefined;
}

/**
 * Apply a replay decision (spec §5.2) to a device's stored window as one
 * atomic conditional update: read the window, let `decide` judge it
 * (`core/replay-window.ts` / `core/check-in-verdict.ts`, pure), then write
 * the new window only where the row still holds the one that was read. If
 * another intake process changed it meanwhile, zero rows change, and the
 * window is read and judged again — so a counter is taken once across every
 * process sharing the database. On PostgreSQL the update waits for a
 * concurrent writer's commit and then sees its result.
 *
 * Returns undefined for a device without a window (not registered).
 */
export function* updateReplayWindow<V>(qb: Kysely<Database>, deviceId: string, decide: (w: ReplayWindow) => WindowDecision<V>): Work<V | undefined> {
  for (let race = 0; race < MAX_WINDOW_RACES; race++) {
    const current = yield* readReplayWindow(qb, deviceId);
    if (!current) return undefined;
    const { verdict, next } = decide(current);
    if (!next || (next.highest === current.highest && next.mask === current.mask)) return verdict;
    const upd = yield* query(
      qb
        .updateTable('replay_windows')
        .set({ highest: next.highest, mask: next.mask.toString() })
        .where('device_id', '=', deviceId)
        .where('highest', '=', current.highest)
        .where(sql<string>`cast(mask as text)`, '=', current.mask.toString()),
    );
    if (affected(upd) === 1) return verdict;
  }
  throw new ReplayWindowError(`replay window of ${deviceId}: lost ${MAX_WINDOW_RACES} compare-and-set races in a row`);
}

/** Take `counter` if it is fresh: 'fresh' (now taken), 'replay', or undefined for an unknown device. */
export function* takeCounter(qb: Kysely<Database>, deviceId: string, counter: number): Work<'fresh' | 'replay' | undefined> {
  return yield* updateReplayWindow(qb, deviceId, (w) => {
    const r = checkReplay(w, counter);
    return r.fresh ? { verdict: 'fresh', next: r.next } : { verdict: 'replay', next: undefined };
  });
}

export function* readReplayWindow(qb: Kysely<Database>, deviceId: string): Work<ReplayWindow | undefined> {
  const { rows } = yield* query(qb.selectFrom('replay_windows').select(['highest', sql<string>`cast(mask as text)`.as('mask')]).where('device_id', '=', deviceId));
  const row = rows[0];
  if (!row) return undefined;
  const w = { highest: Number(row.highest), mask: BigInt(row.mask) };
  if (!isReplayWindow(w)) throw new ReplayWindowError(`replay window of ${deviceId} in the database is not valid (highest ${row.highest}, mask ${row.mask})`);
  return w;
}
