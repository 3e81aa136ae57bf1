import { sql, type Kysely } from 'kysely';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { REPORT_CRC_BYTES } from '../../firmware-sim/error-report.js';
import type { PbxType } from '../../firmware-sim/pbx-type.js';
import type { CentreDatabase } from './centre-database.js';
import { insertEvent } from './event-log.js';
import type { Database, ReportChannel } from './schema.js';
import { affected, query, type Work } from './work.js';

/** Event types a report's records become. */
export const CLASS_B_EVENT = 'class-b-error';
export const FUNCTION_TEST_EVENT = 'function-test';

export interface ReportArrival {
  /** The report exactly as received (already validated: the caller decoded it). */
  bytes: Uint8Array;
  report: ErrorReport;
  receivedAt: number;
  channel: ReportChannel;
  /** History brought in from elsewhere (`centre import`): its events are born cleared — nobody can act on them now, they are there to be read. */
  history?: boolean;
}

export interface ArchivedReport {
  id: number;
  receivedAt: number;
  channel: ReportChannel;
  report: ErrorReport;
  /** The raw bytes as received. */
  bytes: Buffer;
}

/** One PBX as its reports show it (the same figures `centre status` printed from the files). */
export interface PbxSummary {
  systemId: string;
  pbxType: PbxType;
  apsVersion: string;
  reports: number;
  /** Distinct error records (by id and time): a report re-sent after a lost ACK is counted once. */
  errors: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  lastSeq: number;
  lastFunctionTestAt?: number;
}

/**
 * Part of a unit of work: store a class-B report (spec §3.4) with its raw
 * bytes, and one event per error it is the first to carry. The same report
 * again (system id, seq and CRC equal: re-sent after a lost ACK) stores
 * nothing and returns `stored: false` — acknowledge it again.
 */
export function* storeReport(qb: Kysely<Database>, a: ReportArrival): Work<{ stored: boolean; reportId: number }> {
  const { report } = a;
  const raw = Buffer.from(a.bytes);
  const crc = raw.readUInt32BE(raw.length - REPORT_CRC_BYTES);
  const functionTest = report.records.some((r) => r.pseudo) ? 1 : 0;
  const ins = yield* query(
    qb
      .insertInto('reports')
      .values({ system_id: report.systemId, channel: a.channel, received_at: a.receivedAt, seq: report.seq, crc, pbx_type: report.pbxType, aps_version: report.apsVersion, record_count: report.records.length, function_test: functionTest, raw, decoded: JSON.stringify(report) })
      .onConflict((oc) => oc.columns(['system_id', 'seq', 'crc']).doNothing())
      .returning('id'),
  );
  if (ins.rows.length === 0) {
    const { rows } = yield* query(qb.selectFrom('reports').select('id').where('system_id', '=', report.systemId).where('seq', '=', report.seq).where('crc', '=', crc));
    return { stored: false, reportId: Number(rows[0].id) };
  }
  const reportId = Number(ins.rows[0].id);
  for (const r of report.records) {
    const seen = yield* query(qb.selectFrom('report_errors').select('event_id').where('system_id', '=', report.systemId).where('error_id', '=', r.id).where('error_time', '=', r.time));
    if (seen.rows.length > 0) continue;
    const eventId = yield* insertEvent(qb, {
      deviceId: report.systemId,
      source: 'report',
      type: r.pseudo ? FUNCTION_TEST_EVENT : CLASS_B_EVENT,
      occurredAt: r.time,
      receivedAt: a.receivedAt,
      reportId,
      data: { errorId: r.id, class: r.cls, code: r.code, location: r.location, text: r.text },
      // A function test is a sign of life, not a condition to clear.
      life: r.pseudo || a.history ? 'cleared' : 'active',
    });
    const added = yield* query(qb.insertInto('report_errors').values({ system_id: report.systemId, error_id: r.id, error_time: r.time, report_id: reportId, event_id: eventId }));
    if (affected(added) !== 1) throw new Error(`error ${r.id} of ${report.systemId} not recorded`);
  }
  return { stored: true, reportId };
}

/** Reading the reports back: readable (decoded) and raw. */
export class ReportArchive {
  constructor(readonly db: CentreDatabase) {}

  /** Every report of one PBX, oldest first; empty for an unknown PBX. */
  async reports(systemId: string): Promise<ArchivedReport[]> {
    const rows = await this.db.kysely.selectFrom('reports').selectAll().where('system_id', '=', systemId).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), receivedAt: Number(r.received_at), channel: r.channel, report: JSON.parse(r.decoded) as ErrorReport, bytes: Buffer.from(r.raw) }));
  }

  /** How many reports one PBX has. */
  async count(systemId: string): Promise<number> {
    const r = await this.db.kysely.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).where('system_id', '=', systemId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Every PBX that sent a report, by system id. */
  async summaries(): Promise<PbxSummary[]> {
    const k = this.db.kysely;
    const totals = await k
      .selectFrom('reports')
      .select((eb) => [
        'system_id',
        eb.fn.countAll<number>().as('reports'),
        eb.fn.min('received_at').as('first'),
        eb.fn.max('received_at').as('last'),
        eb.fn.max(sql<number | null>`case when function_test = 1 then received_at end`).as('last_test'),
        eb.fn.max('id').as('newest'),
      ])
      .groupBy('system_id')
      .orderBy('system_id')
      .execute();
    const errors = new Map((await k.selectFrom('report_errors').select((eb) => ['system_id', eb.fn.countAll<number>().as('n')]).groupBy('system_id').execute()).map((r) => [r.system_id, Number(r.n)]));
    const newestIds = totals.map((t) => Number(t.newest));
    const newest = new Map(
      newestIds.length === 0 ? [] : (await k.selectFrom('reports').select(['system_id', 'pbx_type', 'aps_version', 'seq']).where('id', 'in', newestIds).execute()).map((r) => [r.system_id, r]),
    );
    return totals.map((t) => {
      const n = newest.get(t.system_id);
      return {
        systemId: t.system_id,
        pbxType: n?.pbx_type as PbxType,
        apsVersion: n?.aps_version ?? '',
        reports: Number(t.reports),
        errors: errors.get(t.system_id) ?? 0,
        firstReceivedAt: Number(t.first),
        lastReceivedAt: Number(t.last),
        lastSeq: Number(n?.seq),
        ...(t.last_test === null ? {} : { lastFunctionTestAt: Number(t.last_test) }),
      };
    });
  }
}
