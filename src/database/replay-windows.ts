import { sql, type Kysely } from 'kysely';
import { checkReplay, isReplayWindow, type ReplayWindow } from '../../core/replay-window.js';
import type { Database } from './schema.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
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
export function* updateReplayWindow<V>(qb: Kysely<Database>, deviceId: string, decide: (w: ReplayWindow) => WindowDecision<V>, guess?: ReplayWindow): Work<WindowOutcome<V> | undefined> {
  const q = statements(qb);
  let current = guess;
  for (let race = 0; race < MAX_WINDOW_RACES; race++) {
    if (!current) {
      current = yield* readReplayWindow(qb, deviceId);
      if (!current) return undefined;
    }
    const { verdict, next } = decide(current);
    if (!next || (next.highest === current.highest && next.mask === current.mask)) {
      // Nothing to write; a guessed window must still be the stored one for the verdict to count.
      if (current !== guess) return { verdict, window: current };
      current = undefined;
      continue;
    }
    const upd = yield* query(q.casWindow({ deviceId, highest: next.highest, mask: next.mask.toString(), oldHighest: current.highest, oldMask: current.mask.toString() }));
    if (affected(upd) === 1) return { verdict, window: next };
    current = undefined;
  }
  throw new ReplayWindowError(`replay window of ${deviceId}: lost ${MAX_WINDOW_RACES} compare-and-set races in a row`);
}

/** A verdict and the window as stored after it (a guess for the next telegram of the device). */
export interface WindowOutcome<V> {
  verdict: V;
  window: ReplayWindow;
}

function statements(qb: Kysely<Database>) {
  return preparedFor(qb, 'replay-windows', () => ({
    casWindow: prepareQuery<{ deviceId: string; highest: number; mask: string; oldHighest: number; oldMask: string }>((p) =>
      qb
        .updateTable('supervision_states')
        .set({ highest: p('highest'), mask: p('mask') })
        .where('device_id', '=', p('deviceId'))
        .where('highest', '=', p('oldHighest'))
        .where(sql<string>`cast(mask as text)`, '=', p('oldMask')),
    ),
    readWindow: prepareQuery<{ deviceId: string }>((p) => qb.selectFrom('supervision_states').select(['highest', sql<string>`cast(mask as text)`.as('mask')]).where('device_id', '=', p('deviceId'))),
  }));
}

/** Take `counter` if it is fresh: 'fresh' (now taken), 'replay', or undefined for an unknown device. */
export function* takeCounter(qb: Kysely<Database>, deviceId: string, counter: number): Work<'fresh' | 'replay' | undefined> {
  const outcome = yield* updateReplayWindow(qb, deviceId, (w) => {
    const r = checkReplay(w, counter);
    return r.fresh ? { verdict: 'fresh' as const, next: r.next } : { verdict: 'replay' as const, next: undefined };
  });
  return outcome?.verdict;
}

export function* readReplayWindow(qb: Kysely<Database>, deviceId: string): Work<ReplayWindow | undefined> {
  const { rows } = yield* query(statements(qb).readWindow({ deviceId }));
  const row = rows[0] as { highest: number; mask: string } | undefined;
  if (!row) return undefined;
  const w = { highest: Number(row.highest), mask: BigInt(row.mask) };
  if (!isReplayWindow(w)) throw new ReplayWindowError(`replay window of ${deviceId} in the database is not valid (highest ${row.highest}, mask ${row.mask})`);
  return w;
}
