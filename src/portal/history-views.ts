import type { Kysely, Selectable } from 'kysely';
import { deviceCheckInsInPeriod } from '../database/check-ins.js';
import type { PortalRight } from '../database/portal-rights.js';
import type { CheckInsTable, Database } from '../database/schema.js';
import type { AccessScope } from './access-scope.js';
import type { HistoryTable } from './history-export.js';

/** The history views a device has (issue 12: events, key movements, check-ins, audit trail). */
export const HISTORY_KINDS = ['events', 'movements', 'check-ins', 'audit'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export const HISTORY_LABELS: Readonly<Record<HistoryKind, string>> = {
  events: 'Events',
  movements: 'Key movements',
  'check-ins': 'Check-ins',
  audit: 'Inputs and actions (audit trail)',
};

/** Rows a page shows; exports carry up to EXPORT_ROWS. */
export const PAGE_ROWS = 500;
export const EXPORT_ROWS = 100_000;

export interface Period {
  /** Inclusive, ms. */
  from: number;
  /** Exclusive, ms. */
  to: number;
}

export const MOVEMENT_TYPES = ['key-taken', 'key-returned'];

export function utc(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function periodText(p: Period): string {
  return `${new Date(p.from).toISOString().slice(0, 10)} to ${new Date(p.to - 1).toISOString().slice(0, 10)} (UTC)`;
}

function fields(data: string, without: readonly string[] = []): string {
  const o = JSON.parse(data) as Record<string, unknown>;
  return Object.entries(o)
    .filter(([k]) => !without.includes(k))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/**
 * One history view of the devices a person may see with `right` (see
 * history for the page, export for a file), restricted by the one access
 * filter; `deviceId` narrows it to one device.
 */
export async function historyTable(qb: Kysely<Database>, scope: AccessScope, right: PortalRight, kind: HistoryKind, period: Period, deviceId: string | undefined, limit: number): Promise<{ table: HistoryTable; truncated: boolean }> {
  const title = `${HISTORY_LABELS[kind]}${deviceId ? ` of ${deviceId}` : ''}`;
  const base = { title, period: periodText(period) };
  if (kind === 'events' || kind === 'movements') {
    let q = qb
      .selectFrom('events')
      .selectAll()
      .where(scope.devicesWhere(qb, 'events.device_id', right))
      .where('occurred_at', '>=', period.from)
      .where('occurred_at', '<', period.to)
      .orderBy('occurred_at')
      .orderBy('id')
      .limit(limit + 1);
    if (deviceId) q = q.where('device_id', '=', deviceId);
    if (kind === 'movements') q = q.where('type', 'in', MOVEMENT_TYPES);
    const rows = await q.execute();
    const shown = rows.slice(0, limit);
    if (kind === 'movements') {
      const table = shown.map((r) => {
        const d = JSON.parse(r.data) as { compartment?: number; holder?: string };
        return [utc(Number(r.occurred_at)), r.device_id, r.type === 'key-taken' ? 'taken' : 'returned', String(d.compartment ?? ''), String(d.holder ?? '')];
      });
      return { table: { ...base, columns: ['time (UTC)', 'depot', 'movement', 'compartment', 'holder'], rows: table }, truncated: rows.length > limit };
    }
    const table = shown.map((r) => [utc(Number(r.occurred_at)), r.device_id, r.type, fields(r.data), r.life, r.ack === 'acknowledged' ? `${r.acknowledged_by ?? ''} ${utc(r.acknowledged_at === null ? null : Number(r.acknowledged_at))}` : 'not acknowledged']);
    return { table: { ...base, columns: ['time (UTC)', 'device', 'event', 'details', 'state', 'acknowledged'], rows: table }, truncated: rows.length > limit };
  }
  if (kind === 'check-ins') {
    const rows = deviceId ? await deviceHistory(qb, scope, right, deviceId, period, limit) : await checkInsOfScope(qb, scope, right, period, limit);
    const table = rows.slice(0, limit).map((r) => [utc(Number(r.received_at)), r.device_id, String(r.counter), utc(Number(r.device_time_ms)), r.status === null ? '' : fields(r.status)]);
    return { table: { ...base, columns: ['received (UTC)', 'device', 'counter', 'device clock', 'status'], rows: table }, truncated: rows.length > limit };
  }
  let q = qb
    .selectFrom('audit_trail')
    .selectAll()
    .where(scope.devicesWhere(qb, 'audit_trail.target', right))
    .where('at', '>=', period.from)
    .where('at', '<', period.to)
    .orderBy('at')
    .orderBy('id')
    .limit(limit + 1);
  if (deviceId) q = q.where('target', '=', deviceId);
  const rows = await q.execute();
  const table = rows.slice(0, limit).map((r) => [utc(Number(r.at)), r.actor, r.action, r.target, fields(r.detail), r.address ?? '']);
  return { table: { ...base, columns: ['time (UTC)', 'who', 'what', 'device', 'details', 'from'], rows: table }, truncated: rows.length > limit };
}

export interface AuditSearch {
  person?: string;
  device?: string;
}

/** The control room's audit trail, searchable by person, device and date (no device filter: it holds logins and people changes too). */
export async function auditTable(qb: Kysely<Database>, search: AuditSearch, period: Period, limit: number): Promise<{ table: HistoryTable; truncated: boolean }> {
  let q = qb.selectFrom('audit_trail').selectAll().where('at', '>=', period.from).where('at', '<', period.to).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1);
  if (search.person) q = q.where('actor', '=', search.person);
  if (search.device) q = q.where('target', '=', search.device);
  const rows = await q.execute();
  const table = rows.slice(0, limit).map((r) => [utc(Number(r.at)), r.actor, r.action, r.target, fields(r.detail), r.address ?? '']);
  return { table: { title: 'Audit trail', period: periodText(period), columns: ['time (UTC)', 'who', 'what', 'target', 'details', 'from'], rows: table }, truncated: rows.length > limit };
}

/** Check-ins in the period of every device in scope, oldest first, `limit + 1` at most (the index on received_at). */
function checkInsOfScope(qb: Kysely<Database>, scope: AccessScope, right: PortalRight, period: Period, limit: number): Promise<Array<Selectable<CheckInsTable>>> {
  return qb
    .selectFrom('check_ins')
    .selectAll()
    .where(scope.devicesWhere(qb, 'check_ins.device_id', right))
    .where('received_at', '>=', period.from)
    .where('received_at', '<', period.to)
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

/** One device's check-ins in the period, oldest first, `limit + 1` at most: along its history from the newest back to the period's start (check-ins.ts), not a search of the fleet's. */
async function deviceHistory(qb: Kysely<Database>, scope: AccessScope, right: PortalRight, deviceId: string, period: Period, limit: number): Promise<Array<Selectable<CheckInsTable>>> {
  if (!(await scope.allowedAmong(qb, right, [deviceId])).has(deviceId)) return [];
  const { rows } = await deviceCheckInsInPeriod(deviceId, { from: period.from, to: period.to, limit: limit + 1, steps: MAX_HISTORY_STEPS }).execute(qb);
  return rows;
}

/** How far back one device's history is walked for a period: a year of check-ins once a minute, twice over. */
const MAX_HISTORY_STEPS = 1_000_000;
