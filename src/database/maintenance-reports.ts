import type { CentreDatabase } from './centre-database.js';
import { query } from './work.js';

/** One entry of a PBX's error memory as `errors show` lists it. */
export interface ErrorMemoryEntry {
  id: number;
  /** As the PBX printed it (`YYYY-MM-DD hh:mm:ss`, the PBX's clock). */
  time: string;
  cls: string;
  /** Hex, four digits. */
  code: string;
  location: string;
  text: string;
  functionTest: boolean;
}

export interface FiledErrorMemory {
  id: number;
  deviceId: string;
  visitId: number | null;
  readAt: number;
  entries: ErrorMemoryEntry[];
  text: string;
}

/**
 * What maintenance visits file at the centre (migration 0008): the error
 * memory each visit read, and whether a function test a visit raised has
 * arrived as a report (the `reports` of the modem or LAN intake).
 */
export class MaintenanceReports {
  constructor(private readonly db: CentreDatabase) {}

  async file(r: Omit<FiledErrorMemory, 'id'>): Promise<number> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const ins = yield* query(qb.insertInto('maintenance_error_reports').values({ device_id: r.deviceId, visit_id: r.visitId, read_at: r.readAt, entries: r.entries.length, records: JSON.stringify(r.entries), text: r.text }).returning('id'));
      return Number(ins.rows[0].id);
    });
  }

  /** A device's filed error memories, newest first. */
  async list(deviceId: string, limit = 100): Promise<FiledErrorMemory[]> {
    const rows = await this.db.kysely.selectFrom('maintenance_error_reports').selectAll().where('device_id', '=', deviceId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), deviceId: r.device_id, visitId: r.visit_id === null ? null : Number(r.visit_id), readAt: Number(r.read_at), entries: JSON.parse(r.records) as ErrorMemoryEntry[], text: r.text }));
  }

  /**
   * The id of a function test of the PBX entered at or after `enteredSince`
   * (the PBX's clock) whose report has reached the centre, or undefined —
   * for a visit that asked for a test without hearing the answer.
   */
  async functionTestReported(deviceId: string, enteredSince: number): Promise<number | undefined> {
    const row = await this.db.kysely.selectFrom('report_errors').innerJoin('events', 'events.id', 'report_errors.event_id')
      .select('report_errors.error_id').where('report_errors.system_id', '=', deviceId).where('events.type', '=', 'function-test').where('report_errors.error_time', '>=', enteredSince)
      .orderBy('report_errors.error_time', 'desc').executeTakeFirst();
    return row === undefined ? undefined : Number(row.error_id);
  }

  /** Whether error `errorId` of the PBX (its function test) has reached the centre in a report received at or after `since`. */
  async reported(deviceId: string, errorId: number, since: number): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('report_errors').innerJoin('reports', 'reports.id', 'report_errors.report_id')
      .select('report_errors.report_id').where('report_errors.system_id', '=', deviceId).where('report_errors.error_id', '=', errorId).where('reports.received_at', '>=', since)
      .executeTakeFirst();
    return row !== undefined;
  }
}
