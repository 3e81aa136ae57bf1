import { sql, type Kysely } from 'kysely';
import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { REPORT_CRC_BYTES } from '../../firmware-sim/error-report.js';
import type { PbxType } from '../../firmware-sim/pbx-type.js';
import type { CentreDatabase } from './centre-database.js';
import { insertEvents } from './event-log.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
import type { Database, ReportChannel } from './schema.js';
import { isPostgres } from './query-engine.js';
import { rowsStatement } from './values-rows.js';
import { affected, insertedId, query, type Work } from './work.js';

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
  const row = { systemId: report.systemId, channel: a.channel, receivedAt: a.receivedAt, seq: report.seq, crc, pbxType: report.pbxType, apsVersion: report.apsVersion, recordCount: report.records.length, functionTest, raw, decoded: JSON.stringify(report) };
  // On SQLite without `returning` (see insertEvent): the id is the connection's last insert rowid, and no row changed means the report was there.
  let reportId: number | undefined;
  if (isPostgres(qb)) {
    const { rows } = yield* query(q.insertReport(row));
    if (rows.length === 1) reportId = Number(rows[0].id);
  } else {
    const ins = yield* query(q.insertReportPlain(row));
    if (affected(ins) === 1) reportId = insertedId(ins);
  }
  if (reportId === undefined) {
    const { rows } = yield* query(q.reportId({ systemId: report.systemId, seq: report.seq, crc }));
    return { stored: false, reportId: Number(rows[0].id) };
  }
  const seen = yield* errorsSeen(q, report);
  const fresh: ErrorRecord[] = [];
  for (const r of report.records) {
    const key = errorKey(r.id, r.time);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(r);
  }
  if (fresh.length === 0) return { stored: true, reportId };
  const eventIds = yield* insertEvents(
    qb,
    fresh.map((r) => ({
      deviceId: report.systemId,
      source: 'report',
      type: r.pseudo ? FUNCTION_TEST_EVENT : CLASS_B_EVENT,
      occurredAt: r.time,
      receivedAt: a.receivedAt,
      reportId,
      data: { errorId: r.id, class: r.cls, code: r.code, location: r.location, text: r.text },
      // A function test is a sign of life, not a condition to clear.
      life: r.pseudo || a.history ? 'cleared' : 'active',
    })),
  );
  const added = yield* query(q.addErrors(fresh.map((r, i) => [report.systemId, r.id, r.time, reportId, eventIds[i]])));
  if (affected(added) !== fresh.length) throw new Error(`errors of ${report.systemId} not recorded`);
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
  type ReportRow = { systemId: string; channel: ReportChannel; receivedAt: number; seq: number; crc: number; pbxType: string; apsVersion: string; recordCount: number; functionTest: number; raw: Buffer; decoded: string };
  const insert = (p: (name: keyof ReportRow & string) => never) =>
    qb
      .insertInto('reports')
      .values({ system_id: p('systemId'), channel: p('channel'), received_at: p('receivedAt'), seq: p('seq'), crc: p('crc'), pbx_type: p('pbxType'), aps_version: p('apsVersion'), record_count: p('recordCount'), function_test: p('functionTest'), raw: p('raw'), decoded: p('decoded') })
      .onConflict((oc) => oc.columns(['system_id', 'seq', 'crc']).doNothing());
  return preparedFor(qb, 'report-archive', () => ({
    insertReport: prepareQuery<ReportRow, { id: number }>((p) => insert(p).returning('id')),
    insertReportPlain: prepareQuery<ReportRow>((p) => insert(p)),
    reportId: prepareQuery<{ systemId: string; seq: number; crc: number }, { id: number }>((p) =>
      qb.selectFrom('reports').select('id').where('system_id', '=', p('systemId')).where('seq', '=', p('seq')).where('crc', '=', p('crc')),
    ),
    errorsSeen: prepareQuery<{ systemId: string; low: number; high: number }, { error_id: number; error_time: number }>((p) =>
      qb.selectFrom('report_errors').select(['error_id', 'error_time']).where('system_id', '=', p('systemId')).where('error_id', '>=', p('low')).where('error_id', '<=', p('high')),
    ),
    /** The report's new errors in one multi-row insert, each row (system id, error id, error time, report id, event id). */
    addErrors: rowsStatement(qb, 'report-errors-add', 5, (rows) =>
      sql`insert into report_errors (system_id, error_id, error_time, report_id, event_id) values ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))}`,
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
