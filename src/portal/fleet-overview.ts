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
 * An active event from the device or one of its reports that nobody has
 * acknowledged yet: what makes a device `alarm`. Literal SQL (no bound
 * values), so the engines see the same text every time.
 */
const OPEN_ALARM = sql<boolean>`e.life = 'active' and e.ack = 'unacknowledged' and e.source in ('device', 'report')`;

/**
 * The fleet overview in two queries over the same filtered set: the counts
 * per state and one page sorted by urgency (then longest silent first, then
 * id). The state is computed in SQL, so sorting, counting and paging stay
 * in the database for 10,000 devices and more; the access scope restricts
 * the devices first.
 *
 * Whether a device has an alarm is an uncorrelated `d.id in (select … from
 * events …)`, which both engines run once per query (PostgreSQL as a
 * hashed subplan, SQLite as an ephemeral index), whatever join order they
 * pick; only the page's rows count their alarms. Joined as a grouped
 * subquery instead, PostgreSQL without statistics (a database just filled,
 * before autovacuum's first ANALYZE) put it on the inner side of a nested
 * loop over a partner's grants and grouped every open event again for each
 * of 10,000 grants: 494 ms instead of 15 (docs/perf.md "Portal").
 */
export async function fleetOverview(qb: Kysely<Database>, scope: AccessScope, q: FleetQuery = {}): Promise<FleetPage> {
  const urgency = sql<number>`case
    when d.id in (select e.device_id from events e where ${OPEN_ALARM}) then 0
    when s.presence = 'missing' then 1
    when s.presence = 'late' then 2
    when s.test in ('overdue', 'outside-window') then 3
    when s.presence is null or s.presence = 'unknown' then 4
    else 5 end`;
  let base = qb
    .selectFrom('devices as d')
    .leftJoin('supervision_states as s', 's.device_id', 'd.id')
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
  // Sort narrow rows (id, urgency, last check-in) and join the page's few to their text and alarm counts afterwards: a sort of 10,000 wide rows is the slow part.
  let ordered = base.select(['d.id as id', 's.last_check_in_at as last_check_in_at', urgency.as('urgency'), sql<number>`coalesce(s.last_check_in_at, 0)`.as('silent_since')]);
  if (wanted !== undefined) ordered = ordered.where(urgency, '=', wanted);
  const rows = await qb
    .selectFrom(ordered.orderBy('urgency').orderBy('silent_since').orderBy('d.id').limit(pageSize).offset((page - 1) * pageSize).as('p'))
    .innerJoin('devices as d', 'd.id', 'p.id')
    .select(['p.id', 'd.kind', 'd.customer_name', 'd.site_name', 'p.last_check_in_at', 'p.urgency', sql<number>`(select count(*) from events e where e.device_id = p.id and ${OPEN_ALARM})`.as('alarms')])
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
