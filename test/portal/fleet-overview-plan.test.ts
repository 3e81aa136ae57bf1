import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import t from 'tap';
import type { PortalAccount } from '../../src/database/portal-accounts.js';
import type { Database } from '../../src/database/schema.js';
import { AccessScope } from '../../src/portal/access-scope.js';
import { fleetOverview, PAGE_SIZE } from '../../src/portal/fleet-overview.js';
import { engineFixture } from '../support/both-engines.js';

/**
 * PostgreSQL's plan for a partner's overview on a database just filled (no
 * ANALYZE yet: what a centre sees after a bulk load until autovacuum's first
 * pass). Without statistics the planner guesses one grant row and runs a
 * nested loop over the grants; the open-alarm check must still run once per
 * query (and once per row of the page for the counts), never once per grant
 * — joined as a grouped subquery it was re-grouped for each of the grants
 * (494 ms for 10,000, docs/perf.md "Portal"). A property of this engine's
 * planner: SQLite's overview is covered by fleet-overview.test.ts.
 */
const DEVICES = 2_000;
const ALARM_EVERY = 50;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Every node of a plan that runs more than `limit` times and reads `relation` somewhere beneath it. */
function repeatedOver(node: PlanNode, relation: string, limit: number): string[] {
  const reads = (n: PlanNode): boolean => n['Relation Name'] === relation || (n.Plans ?? []).some(reads);
  const here = node['Actual Loops'] > limit && reads(node) ? [`${node['Node Type']} ×${node['Actual Loops']}`] : [];
  return [...here, ...(node.Plans ?? []).flatMap((c) => repeatedOver(c, relation, limit))];
}

t.test('a partner overview on a never-analyzed PostgreSQL database checks open alarms once, not once per grant', async (t) => {
  const f = await engineFixture(t, 'postgres');
  const db = await f.open();
  const k = db.kysely;
  const now = Date.UTC(2026, 2, 1, 9);
  await sql`insert into devices (id, kind, customer_name, site_name, check_in_interval_ms, grace_ms, missing_after, key_sealed, key_version, created_at, updated_at)
    select 'HSIM-' || lpad(i::text, 5, '0'), 'pbx', 'Kunde ' || i, 'Berlin', 60000, 30000, 5, '\\x00'::bytea, 1, ${now}, ${now} from generate_series(1, ${DEVICES}) i`.execute(k);
  await sql`insert into supervision_states (device_id, presence, presence_since, test, test_since, last_check_in_at, next_check_at)
    select id, 'ok', ${now}, 'ok', ${now}, ${now}, ${now} from devices`.execute(k);
  await sql`insert into events (device_id, source, type, occurred_at, received_at, life, ack)
    select id, 'device', 'class-b-error', ${now}, ${now}, 'active', 'unacknowledged' from devices where cast(substr(id, 6) as integer) % ${ALARM_EVERY} = 0`.execute(k);
  const account = (await sql<{ id: number }>`insert into portal_accounts (name, role, partner_kind, password_hash, created_at, created_by, updated_at) values ('inst', 'partner', 'installer', 'unused', ${now}, 'test', ${now}) returning id`.execute(k)).rows[0];
  await sql`insert into portal_grants (account_id, device_id, rights, created_at, created_by) select ${account.id}, id, 1, ${now}, 'test' from devices`.execute(k);
  const analyzed = await sql<{ n: number }>`select count(*)::int as n from pg_stat_user_tables where relname in ('portal_grants', 'events') and (last_analyze is not null or last_autoanalyze is not null)`.execute(k);
  t.equal(analyzed.rows[0].n, 0, 'the tables have no statistics yet (the case under test)');

  // The overview's own queries, captured as it sends them, then explained with their parameters.
  const pool = new pg.Pool({ connectionString: f.spec, max: 1 });
  t.teardown(() => pool.end());
  const sent: CompiledQuery[] = [];
  const traced = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => void sent.push(e.query) });
  const scope = new AccessScope({ id: Number(account.id), name: 'inst', role: 'partner', partnerKind: 'installer', networks: '', state: 'active' } as PortalAccount, []);
  const page = await fleetOverview(traced, scope);
  t.same(page.counts, { alarm: DEVICES / ALARM_EVERY, missing: 0, late: 0, 'test-overdue': 0, unknown: 0, ok: DEVICES - DEVICES / ALARM_EVERY }, 'counts over every grant');
  t.equal(page.rows.length, PAGE_SIZE, 'one full page');
  t.ok(page.rows.slice(0, DEVICES / ALARM_EVERY).every((r) => r.state === 'alarm' && r.openAlarms === 1), 'alarms first, each with its one open event');
  t.equal(sent.length, 2, 'two queries: the counts and the page');
  for (const [i, q] of sent.entries()) {
    const plan = (await pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${q.sql}`, [...q.parameters])).rows[0]['QUERY PLAN'][0].Plan;
    t.same(repeatedOver(plan, 'events', i === 0 ? 1 : PAGE_SIZE), [], `${i === 0 ? 'counts' : 'page'}: nothing over the events runs once per grant`);
  }
});
