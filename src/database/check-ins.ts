import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
import type { CheckInsTable, Database } from './schema.js';
import { query, type Work } from './work.js';

export interface CheckIn {
  deviceId: string;
  receivedAt: number;
  counter: number;
  /** The telegram's time field in ms (the device's clock). */
  deviceTimeMs: number;
  source: string;
  status?: Record<string, unknown>;
}

export interface StoredCheckIn extends CheckIn {
  id: number;
}

/**
 * Part of a unit of work: store one accepted check-in at the head of its
 * device's history (migration 0012: the row points to the device's check-in
 * before it, the device's row to the newest — `supervision_states`, beside
 * its replay window, since 0013). The device must be registered (its row
 * holds the head). `storeCheckIns` does the
 * same for many rows at once.
 */
export function* insertCheckIn(qb: Kysely<Database>, c: CheckIn): Work<void> {
  const q = statements(qb);
  const { rows } = yield* query(
    q.insert({ deviceId: c.deviceId, receivedAt: c.receivedAt, counter: c.counter, deviceTimeMs: c.deviceTimeMs, source: c.source, status: c.status === undefined ? null : JSON.stringify(c.status) }),
  );
  yield* query(q.moveHead({ deviceId: c.deviceId, id: Number(rows[0].id) }));
}

function statements(qb: Kysely<Database>) {
  return preparedFor(qb, 'check-ins', () => ({
    insert: prepareQuery<{ deviceId: string; receivedAt: number; counter: number; deviceTimeMs: number; source: string; status: string | null }, { id: number }>((p) =>
      qb
        .insertInto('check_ins')
        .values({
          device_id: p('deviceId'),
          received_at: p('receivedAt'),
          counter: p('counter'),
          device_time_ms: p('deviceTimeMs'),
          source: p('source'),
          status: p('status'),
          prev_id: qb.selectFrom('supervision_states').select('last_check_in_id').where('device_id', '=', p('deviceId')),
        })
        .returning('id'),
    ),
    moveHead: prepareQuery<{ deviceId: string; id: number }>((p) => qb.updateTable('supervision_states').set({ last_check_in_id: p('id') }).where('device_id', '=', p('deviceId'))),
  }));
}

/**
 * A device's check-ins, newest first, read along its history's links from
 * its head (a registered device's row, or a removed one's
 * `check_in_heads` row): `limit` rows at most, none received before
 * `since`. Each step is one primary-key lookup, so the cost is the number
 * of rows read, whatever the size of the fleet's history.
 */
export function deviceCheckIns(deviceId: string, o: { limit: number; since?: number }): RawBuilder<Selectable<CheckInsTable>> {
  const since = o.since ?? Number.MIN_SAFE_INTEGER;
  return sql<Selectable<CheckInsTable>>`${historyWalk(deviceId, o.limit, since)}
    select c.* from chain join check_ins c on c.id = chain.id where c.received_at >= ${since} order by chain.n`;
}

/**
 * A device's check-ins received in the period [`from`, `to`), oldest first
 * (by time, then id), `limit` at most: the walk of `deviceCheckIns` from
 * the newest back to `from`, `steps` rows at most (the walk cannot start at
 * the period's end: a row knows only the one before it); the end bound, the
 * order and the limit are in the query, so rows after the period's end are
 * stepped over in the database, not sent, sorted and held by the program.
 */
export function deviceCheckInsInPeriod(deviceId: string, o: { from: number; to: number; limit: number; steps: number }): RawBuilder<Selectable<CheckInsTable>> {
  return sql<Selectable<CheckInsTable>>`${historyWalk(deviceId, o.steps, o.from)}
    select c.* from chain join check_ins c on c.id = chain.id where c.received_at >= ${o.from} and c.received_at < ${o.to}
    order by c.received_at, c.id limit ${o.limit}`;
}

/** `with recursive chain(id, n)`: the ids along a device's history from its head, `steps` at most, back to the first received before `since`. */
function historyWalk(deviceId: string, steps: number, since: number): RawBuilder<unknown> {
  return sql`with recursive chain(id, n) as (
      select coalesce((select last_check_in_id from supervision_states where device_id = ${deviceId}), (select last_check_in_id from check_in_heads where device_id = ${deviceId})), 1
      union all
      select c.prev_id, chain.n + 1 from chain join check_ins c on c.id = chain.id where chain.n < ${steps} and c.received_at >= ${since}
    )`;
}

/** Reading the check-in history. */
export class CheckIns {
  constructor(readonly db: CentreDatabase) {}

  /** A device's newest check-ins, newest first (`GET /api/v1/devices/:id/check-ins`). */
  async recent(deviceId: string, limit = 100): Promise<StoredCheckIn[]> {
    const { rows } = await deviceCheckIns(deviceId, { limit }).execute(this.db.kysely);
    return rows.map(checkInOf);
  }
}

function checkInOf(r: Selectable<CheckInsTable>): StoredCheckIn {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    receivedAt: Number(r.received_at),
    counter: Number(r.counter),
    deviceTimeMs: Number(r.device_time_ms),
    source: r.source,
    ...(r.status === null ? {} : { status: JSON.parse(r.status) as Record<string, unknown> }),
  };
}
