import { sql } from 'kysely';
import t from 'tap';
import { encodeReport } from '../../firmware-sim/error-report.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { schemaMigrator } from '../../src/database/migrate-schema.js';
import { query } from '../../src/database/work.js';
import { onBothEngines } from '../support/both-engines.js';
import { rec, reportReaders, storeReportHistory } from '../support/report-readers.js';
import { sampleReport, T0 } from '../support/sample-report.js';

/** The migration before 0014. */
const BEFORE = '0013-device-check-in-row';
const DROPPED = ['events_device_time', 'reports_system'];

async function indexNames(db: CentreDatabase): Promise<string[]> {
  const rows =
    db.engine === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name in ('events', 'reports')`.execute(db.kysely)).rows
      : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename in ('events', 'reports')`.execute(db.kysely)).rows;
  return rows.map((r) => r.name);
}

/**
 * The plan of one device's event look-up and one PBX's report look-up: on
 * PostgreSQL with sequential scans off, so the plan says whether an index
 * can serve the query at all (a table this small is otherwise scanned).
 */
async function plans(db: CentreDatabase): Promise<string[]> {
  const events = `select * from events where device_id = 'P1' order by id desc limit 50`;
  const reports = `select * from reports where system_id = 'P1' order by id`;
  if (db.engine === 'sqlite') {
    const out: string[] = [];
    for (const q of [events, reports]) out.push((await sql<{ detail: string }>`explain query plan ${sql.raw(q)}`.execute(db.kysely)).rows.map((r) => r.detail).join(' / '));
    return out;
  }
  return db.run(function* () {
    yield* query(sql`set local enable_seqscan = off`.compile(db.kysely));
    const out: string[] = [];
    for (const q of [events, reports]) out.push((yield* query(sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(q)}`.compile(db.kysely))).rows.map((r) => r['QUERY PLAN']).join(' / '));
    return out;
  });
}

/**
 * Migration 0014 drops two indexes no reader needs (docs/centre-database.md
 * "Report indexes (migration 0014)"): a database with reports and events
 * stored under 0013 reads the same through every reader afterwards, a
 * device's events and a PBX's reports are still found through an index
 * (events_device_seq, reports_once), new reports store and read on, and
 * `down` builds both indexes again.
 */
onBothEngines(t, 'migration 0014 carries a database with reports forward: the same rows through every reader, still by index', async (t, f) => {
  const db = await f.open();
  t.error((await schemaMigrator(db).migrateTo(BEFORE)).error, 'the database is taken back to 0013');
  const before0014 = await indexNames(db);
  t.same(DROPPED.filter((n) => before0014.includes(n)), DROPPED, 'which has both indexes');
  // History as the program before stored it.
  const store = await storeReportHistory(db);
  const before = { P1: await reportReaders(db, 'P1'), P2: await reportReaders(db, 'P2') };

  const up = await schemaMigrator(db).migrateToLatest();
  t.error(up.error, 'migrating up carries it forward');
  t.ok(up.results?.some((r) => r.migrationName === '0014-report-index-entries' && r.status === 'Success'), 'with 0014');
  const after = await indexNames(db);
  t.same(DROPPED.filter((n) => after.includes(n)), [], 'both indexes are gone');
  t.same({ P1: await reportReaders(db, 'P1'), P2: await reportReaders(db, 'P2') }, before, 'every reader shows the same reports and events as before');
  const [events, reports] = await plans(db);
  t.match(events, /events_device_seq/, `a device's events are still found by an index: ${events}`);
  t.match(reports, db.engine === 'sqlite' ? /sqlite_autoindex_reports|reports_once/ : /reports_once/, `a PBX's reports too: ${reports}`);

  await store.appendReport(encodeReport(sampleReport({ systemId: 'P1', seq: 7, records: [rec(20, T0 + 9000)] })), T0 + 9 * 60_000);
  const p1 = await reportReaders(db, 'P1');
  t.equal(p1.count, 7, 'a new report is stored after it');
  t.equal(p1.active.length, before.P1.active.length + 1, 'with its error an active event beside those before');

  t.error((await schemaMigrator(db).migrateTo(BEFORE)).error, 'down again');
  const down = await indexNames(db);
  t.same(DROPPED.filter((n) => down.includes(n)), DROPPED, 'down builds both indexes again');
});
