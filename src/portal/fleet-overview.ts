import { sql, type Kysely } from 'kysely';
import type { Database, DeviceKind } from '../database/schema.js';
import type { AccessScope } from './access-scope.js';

/**
 * A device's state at a glance, most urgent first (issue 12: ok / late /
 * missing / alarm / test overdue). `alarm`: an active event from the device
 * or one of its reports nobody has acknowledged yet; `unknown`: registered,
 * never checked in.
 */
export const FLEET_STATES = ['alarm', 'missing', 'late', 'test-overdue', 'unknown', 'ok'] as const;
export type FleetState = (typeof FLEET_STATES)[number];

export const STATE_LABELS: Readonly<Record<FleetState, string>> = {
  alarm: 'Alarm',
  missing: 'Missing',
  late: 'Late',
  'test-overdue': 'Test overdue',
  unknown: 'No check-in yet',
  ok: 'OK',
};

export const PAGE_SIZE = 50;

export interface FleetRow {
  id: string;
  kind: DeviceKind;
  customerName: string;
  siteName: string;
  state: FleetState;
  lastCheckInAt: number | null;
  openAlarms: number;
}

export interface FleetQuery {
  state?: FleetState;
  kind?: DeviceKind;
  /** Part of the id, customer or site (case-insensitive). */
  search?: string;
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface FleetPage {
  rows: FleetRow[];
  /** Per state over the whole (searched, not state-filtered) fleet the person sees. */
  counts: Record<FleetState, number>;
  /** Rows matching the query (all pages). */
  matching: number;
  page: number;
  pages: number;
}

/** LIKE with the person's text taken literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The fleet overview in two queries over the same filtered set: the counts
 * per state and one page sorted by urgency (then longest silent first, then
 * id). The state is computed in SQL, so sorting, counting and paging stay
 * in the database for 10,000 devices and more; the access scope restricts
 * the devices first.
 */
export async function fleetOverview(qb: Kysely<Database>, scope: AccessScope, q: FleetQuery = {}): Promise<FleetPage> {
  const alarms = qb
    .selectFrom('events')
    .select(['device_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('life', '=', 'active')
    .where('ack', '=', 'unacknowledged')
    .where('source', 'in', ['device', 'report'])
    .groupBy('device_id');
  const urgency = sql<number>`case
    when coalesce(a.n, 0) > 0 then 0
    when s.presence = 'missing' then 1
    when s.presence = 'late' then 2
    when s.test in ('overdue', 'outside-window') then 3
    when s.presence is null or s.presence = 'unknown' then 4
    else 5 end`;
  let base = qb
    .selectFrom('devices as d')
    .leftJoin('supervision_states as s', 's.device_id', 'd.id')
    .leftJoin(alarms.as('a'), 'a.device_id', 'd.id')
    .where(scope.devicesWhere(qb, 'd.id', 'see-status'));
  if (q.kind) base = base.where('d.kind', '=', q.kind);
  if (q.search && q.search.trim() !== '') {
    const p = likePattern(q.search.trim());
    base = base.where((eb) =>
      eb.or([sql<boolean>`lower(d.id) like ${p} escape '\\'`, sql<boolean>`lower(d.customer_name) like ${p} escape '\\'`, sql<boolean>`lower(d.site_name) like ${p} escape '\\'`]),
    );
  }
  const countRows = await base.select([urgency.as('urgency'), (eb) => eb.fn.countAll<number>().as('n')]).groupBy(sql`1`).execute();
  const counts = Object.fromEntries(FLEET_STATES.map((s) => [s, 0])) as Record<FleetState, number>;
  for (const r of countRows) counts[FLEET_STATES[Number(r.urgency)]] = Number(r.n);
  const wanted = q.state === undefined ? undefined : FLEET_STATES.indexOf(q.state);
  const matching = wanted === undefined ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[q.state!];
  const pageSize = q.pageSize ?? PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(matching / pageSize));
  const page = Math.min(Math.max(1, q.page ?? 1), pages);
  // Sort narrow rows (id, urgency, last check-in, alarms) and join the page's few to their text afterwards: a sort of 10,000 wide rows is the slow part.
  let ordered = base.select(['d.id as id', 's.last_check_in_at as last_check_in_at', sql<number>`coalesce(a.n, 0)`.as('alarms'), urgency.as('urgency'), sql<number>`coalesce(s.last_check_in_at, 0)`.as('silent_since')]);
  if (wanted !== undefined) ordered = ordered.where(urgency, '=', wanted);
  const rows = await qb
    .selectFrom(ordered.orderBy('urgency').orderBy('silent_since').orderBy('d.id').limit(pageSize).offset((page - 1) * pageSize).as('p'))
    .innerJoin('devices as d', 'd.id', 'p.id')
    .select(['p.id', 'd.kind', 'd.customer_name', 'd.site_name', 'p.last_check_in_at', 'p.alarms', 'p.urgency'])
    .orderBy('p.urgency')
    .orderBy('p.silent_since')
    .orderBy('p.id')
    .execute();
  return {
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      customerName: r.customer_name,
      siteName: r.site_name,
      state: FLEET_STATES[Number(r.urgency)],
      lastCheckInAt: r.last_check_in_at === null ? null : Number(r.last_check_in_at),
      openAlarms: Number(r.alarms),
    })),
    counts,
    matching,
    page,
    pages,
  };
}
