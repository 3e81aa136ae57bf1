import { sql, type Kysely } from 'kysely';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { REPORT_CRC_BYTES } from '../../firmware-sim/error-report.js';
import type { PbxType } from '../../firmware-sim/pbx-type.js';
import type { CentreDatabase } from './centre-database.js';
import { insertEvent } from './event-log.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
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
  const q = statements(qb);
  const raw = Buffer.from(a.bytes);
  const crc = raw.readUInt32BE(raw.length - REPORT_CRC_BYTES);
  const functionTest = report.records.some((r) => r.pseudo) ? 1 : 0;
  const ins = yield* query(
    q.insertReport({ systemId: report.systemId, channel: a.channel, receivedAt: a.receivedAt, seq: report.seq, crc, pbxType: report.pbxType, apsVersion: report.apsVersion, recordCount: report.records.length, functionTest, raw, decoded: JSON.stringify(report) }),
  );
  if (ins.rows.length === 0) {
    const { rows } = yield* query(q.reportId({ systemId: report.systemId, seq: report.seq, crc }));
    return { stored: false, reportId: Number(rows[0].id) };
  }
  const reportId = Number(ins.rows[0].id);
  const seen = yield* errorsSeen(q, report);
  for (const r of report.records) {
    const key = errorKey(r.id, r.time);
    if (seen.has(key)) continue;
    seen.add(key);
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
    const added = yield* query(q.addError({ systemId: report.systemId, errorId: r.id, errorTime: r.time, reportId, eventId }));
    if (affected(added) !== 1) throw new Error(`error ${r.id} of ${report.systemId} not recorded`);
  }
  return { stored: true, reportId };
}

/** A record as `report_errors` knows it: its id and time in the PBX. */
function errorKey(errorId: number, errorTime: number): string {
  return `${errorId}@${errorTime}`;
}

/**
 * The records of `report` some earlier report carried already (a report
 * re-sent after a lost ACK, or rebuilt with the same records and more):
 * one range look-up in `report_errors`' primary key for the whole report
 * instead of one per record, as the centre stores a report per call.
 */
function* errorsSeen(q: ReturnType<typeof statements>, report: ErrorReport): Work<Set<string>> {
  const seen = new Set<string>();
  if (report.records.length === 0) return seen;
  let low = report.records[0].id;
  let high = low;
  for (const r of report.records) {
    low = Math.min(low, r.id);
    high = Math.max(high, r.id);
  }
  const { rows } = yield* query(q.errorsSeen({ systemId: report.systemId, low, high }));
  for (const row of rows) seen.add(errorKey(Number(row.error_id), Number(row.error_time)));
  return seen;
}

/**
 * The statements of `storeReport`, compiled once per database: the modem
 * centre runs them for every report, and Kysely's builder and compiler cost
 * more than SQLite takes to run them.
 */
function statements(qb: Kysely<Database>) {
  return preparedFor(qb, 'report-archive', () => ({
    insertReport: prepareQuery<
      { systemId: string; channel: ReportChannel; receivedAt: number; seq: number; crc: number; pbxType: string; apsVersion: string; recordCount: number; functionTest: number; raw: Buffer; decoded: string },
      { id: number }
    >((p) =>
      qb
        .insertInto('reports')
        .values({ system_id: p('systemId'), channel: p('channel'), received_at: p('receivedAt'), seq: p('seq'), crc: p('crc'), pbx_type: p('pbxType'), aps_version: p('apsVersion'), record_count: p('recordCount'), function_test: p('functionTest'), raw: p('raw'), decoded: p('decoded') })
        .onConflict((oc) => oc.columns(['system_id', 'seq', 'crc']).doNothing())
        .returning('id'),
    ),
    reportId: prepareQuery<{ systemId: string; seq: number; crc: number }, { id: number }>((p) =>
      qb.selectFrom('reports').select('id').where('system_id', '=', p('systemId')).where('seq', '=', p('seq')).where('crc', '=', p('crc')),
    ),
    errorsSeen: prepareQuery<{ systemId: string; low: number; high: number }, { error_id: number; error_time: number }>((p) =>
      qb.selectFrom('report_errors').select(['error_id', 'error_time']).where('system_id', '=', p('systemId')).where('error_id', '>=', p('low')).where('error_id', '<=', p('high')),
    ),
    addError: prepareQuery<{ systemId: string; errorId: number; errorTime: number; reportId: number; eventId: number }>((p) =>
      qb.insertInto('report_errors').values({ system_id: p('systemId'), error_id: p('errorId'), error_time: p('errorTime'), report_id: p('reportId'), event_id: p('eventId') }),
    ),
  }));
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
