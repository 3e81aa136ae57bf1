import { EMPTY_REPLAY_WINDOW } from '../../core/replay-window.js';
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
import type { Database, Presence, SupervisionStatesTable, TestState } from './schema.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
import { query, type Work } from './work.js';

/** One device's supervision (spec §5.3): presence (late / missing) and function test (overdue / outside its window). */
export interface SupervisionState {
  deviceId: string;
  presence: Presence;
  presenceSince: number;
  test: TestState;
  testSince: number;
  lastCheckInAt: number | null;
  lastFunctionTestAt: number | null;
  /** When the function test turns overdue (null: not supervised, or overdue already). */
  testDueAt: number | null;
  /** When supervision must look at this device again: evaluation reads only rows due by now. */
  nextCheckAt: number;
}

/** Part of a unit of work: write a device's state (insert or replace), e.g. with the event its change raised. */
export function* saveSupervisionState(qb: Kysely<Database>, s: SupervisionState): Work<void> {
  yield* query(saveState(qb)(rowOf(s)));
}

const STATE_COLUMNS = ['device_id', 'presence', 'presence_since', 'test', 'test_since', 'last_check_in_at', 'last_function_test_at', 'test_due_at', 'next_check_at'] as const satisfies ReadonlyArray<keyof SupervisionStatesTable>;

/** The supervision's own columns of the device's row (the replay window and history head beside them are the intake's). */
type StateRow = Pick<Selectable<SupervisionStatesTable>, (typeof STATE_COLUMNS)[number]>;

/**
 * The upsert of `saveSupervisionState`, compiled once per database: the
 * supervisor runs it for every device it judges (after an outage, the
 * whole fleet), and for a present device whose burst of check-ins left its
 * deadline behind (check-in-store.ts `pushDue`).
 */
function saveState(qb: Kysely<Database>): (row: StateRow) => CompiledQuery<unknown> {
  return preparedFor(qb, 'supervision-state-save', () =>
    prepareQuery<StateRow>((p) => {
      const row = {} as Record<keyof StateRow, never>;
      for (const c of STATE_COLUMNS) row[c] = p(c);
      const { device_id: _id, ...rest } = row;
      // A device without a row (none is registered so since 0013) gets the empty replay window with it; an existing row keeps its window.
      const window = { highest: EMPTY_REPLAY_WINDOW.highest, mask: EMPTY_REPLAY_WINDOW.mask.toString() };
      return qb.insertInto('supervision_states').values({ ...row, ...window }).onConflict((oc) => oc.column('device_id').doUpdateSet(rest));
    }),
  );
}


export function* readSupervisionState(qb: Kysely<Database>, deviceId: string): Work<SupervisionState | undefined> {
  const { rows } = yield* query(stateById(qb)({ deviceId }));
  return rows[0] && stateOf(rows[0]);
}

/** The select of `readSupervisionState`, compiled once per database: a report or a late check-in reads it, hundreds of thousands in a fleet. */
function stateById(qb: Kysely<Database>): (args: { deviceId: string }) => CompiledQuery<Selectable<SupervisionStatesTable>> {
  return preparedFor(qb, 'supervision-state', () =>
    prepareQuery<{ deviceId: string }, Selectable<SupervisionStatesTable>>((p) => qb.selectFrom('supervision_states').selectAll().where('device_id', '=', p('deviceId'))),
  );
}

export class SupervisionStates {
  constructor(readonly db: CentreDatabase) {}

  save(s: SupervisionState): Promise<void> {
    return this.db.run(() => saveSupervisionState(this.db.kysely, s));
  }

  get(deviceId: string): Promise<SupervisionState | undefined> {
    return this.db.run(() => readSupervisionState(this.db.kysely, deviceId));
  }

  /** The devices due for a look at `now`, soonest first (an index on next_check_at: no scan of the fleet). */
  async due(now: number, limit = 1000): Promise<SupervisionState[]> {
    const rows = await this.db.kysely.selectFrom('supervision_states').selectAll().where('next_check_at', '<=', now).orderBy('next_check_at').limit(limit).execute();
    return rows.map(stateOf);
  }

  async list(): Promise<SupervisionState[]> {
    return (await this.db.kysely.selectFrom('supervision_states').selectAll().orderBy('device_id').execute()).map(stateOf);
  }
}

function rowOf(s: SupervisionState): StateRow {
  return {
    device_id: s.deviceId,
    presence: s.presence,
    presence_since: s.presenceSince,
    test: s.test,
    test_since: s.testSince,
    last_check_in_at: s.lastCheckInAt,
    last_function_test_at: s.lastFunctionTestAt,
    test_due_at: s.testDueAt,
    next_check_at: s.nextCheckAt,
  };
}

export function stateOf(r: StateRow): SupervisionState {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    deviceId: r.device_id,
    presence: r.presence,
    presenceSince: Number(r.presence_since),
    test: r.test,
    testSince: Number(r.test_since),
    lastCheckInAt: n(r.last_check_in_at),
    lastFunctionTestAt: n(r.last_function_test_at),
    testDueAt: n(r.test_due_at),
    nextCheckAt: Number(r.next_check_at),
  };
}
