import type { Kysely } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
import type { Database } from './schema.js';
import { query, type Work } from './work.js';

/**
 * Why a telegram was rejected (spec §5.2): silently for an unknown id, a bad
 * tag or a malformed datagram; with a nak for a replay or clock skew. The
 * intake may add finer reasons; the column is free text.
 */
export type RejectReason = 'unknown-device' | 'bad-tag' | 'malformed' | 'replay' | 'clock-skew' | (string & {});

export interface Reject {
  /** The id as the datagram named it ('' when it had none that could be read). */
  deviceId: string;
  reason: RejectReason;
  at: number;
  source: string;
  /** How many to add (a batch may count several at once). */
  count?: number;
}

export interface RejectCount {
  deviceId: string;
  reason: string;
  count: number;
  firstAt: number;
  lastAt: number;
  lastSource: string;
}

/** Part of a unit of work: add to the counter of (device id, reason). */
export function* countReject(qb: Kysely<Database>, r: Reject): Work<void> {
  const n = r.count ?? 1;
  yield* query(
    qb
      .insertInto('reject_counters')
      .values({ device_id: r.deviceId, reason: r.reason, count: n, first_at: r.at, last_at: r.at, last_source: r.source })
      .onConflict((oc) =>
        oc.columns(['device_id', 'reason']).doUpdateSet((eb) => ({
          count: eb('reject_counters.count', '+', eb.ref('excluded.count')),
          last_at: eb.ref('excluded.last_at'),
          last_source: eb.ref('excluded.last_source'),
        })),
      ),
  );
}

export class RejectCounters {
  constructor(readonly db: CentreDatabase) {}

  count(r: Reject): Promise<void> {
    return this.db.run(() => countReject(this.db.kysely, r));
  }

  /** Every counter (of one device id if given), by device id and reason. */
  async list(deviceId?: string): Promise<RejectCount[]> {
    let q = this.db.kysely.selectFrom('reject_counters').selectAll().orderBy('device_id').orderBy('reason');
    if (deviceId !== undefined) q = q.where('device_id', '=', deviceId);
    return (await q.execute()).map((r) => ({ deviceId: r.device_id, reason: r.reason, count: Number(r.count), firstAt: Number(r.first_at), lastAt: Number(r.last_at), lastSource: r.last_source }));
  }
}
