import type { Kysely, Selectable } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
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

/** Part of a unit of work (the intake's batch): store one accepted check-in. */
export function* insertCheckIn(qb: Kysely<Database>, c: CheckIn): Work<void> {
  yield* query(
    qb.insertInto('check_ins').values({
      device_id: c.deviceId,
      received_at: c.receivedAt,
      counter: c.counter,
      device_time_ms: c.deviceTimeMs,
      source: c.source,
      status: c.status === undefined ? null : JSON.stringify(c.status),
    }),
  );
}

/** Reading the check-in history. */
export class CheckIns {
  constructor(readonly db: CentreDatabase) {}

  async recent(deviceId: string, limit = 100): Promise<StoredCheckIn[]> {
    const rows = await this.db.kysely.selectFrom('check_ins').selectAll().where('device_id', '=', deviceId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(checkInOf);
  }

  async count(deviceId?: string): Promise<number> {
    let q = this.db.kysely.selectFrom('check_ins').select((eb) => eb.fn.countAll<number>().as('n'));
    if (deviceId !== undefined) q = q.where('device_id', '=', deviceId);
    return Number((await q.executeTakeFirstOrThrow()).n);
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
