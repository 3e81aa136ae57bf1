import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { encodeReport } from '../../firmware-sim/error-report.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { schemaMigrator } from '../../src/database/migrate-schema.js';
import { onBothEngines } from '../support/both-engines.js';
import { rec, reportReaders, storeReportHistory } from '../support/report-readers.js';
import { sampleReport, T0 } from '../support/sample-report.js';

/** The migration before 0015. */
const BEFORE = '0014-report-index-entries';

/** Each table's checks as the engine stores them: SQLite's `CREATE TABLE` text, PostgreSQL's constraint definitions. */
async function checks(db: CentreDatabase): Promise<Record<string, string>> {
  const rows =
    db.engine === 'sqlite'
      ? (await sql<{ name: string; def: string }>`select name, sql as def from sqlite_schema where type = 'table' and sql like '%check (%' order by name`.execute(db.kysely)).rows
      : (await sql<{ name: string; def: string }>`select conrelid::regclass::text || '.' || conname as name, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'c' order by 1`.execute(db.kysely)).rows;
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

/** A statement the checks must refuse: rejects with SQLite's or PostgreSQL's check violation. */
async function refused(t: Test, db: CentreDatabase, what: string, statement: ReturnType<typeof sql>): Promise<void> {
  await t.rejects(statement.execute(db.kysely), /CHECK constraint failed|violates check constraint/, `${what} is refused`);
}

/** What the text enum checks of the tables a report writes refuse. */
async function refusesBadValues(t: Test, db: CentreDatabase, when: string): Promise<void> {
  await refused(t, db, `${when}: a report from an unknown channel`, sql`insert into reports (system_id, channel, received_at, seq, crc, pbx_type, aps_version, record_count, function_test, raw, decoded) values ('P9', 'fax', 1, 1, 1, 'x', 'x', 0, 0, ${Buffer.from([0])}, '{}')`);
  await refused(t, db, `${when}: an event of an unknown life`, sql`update events set life = 'gone' where device_id = 'P1'`);
  await refused(t, db, `${when}: an event of an unknown acknowledgement`, sql`update events set ack = 'maybe' where device_id = 'P1'`);
  await refused(t, db, `${when}: an event from an unknown source`, sql`update events set source = 'rumour' where device_id = 'P1'`);
  await refused(t, db, `${when}: a supervision state of an unknown presence`, sql`insert into supervision_states (device_id, presence, presence_since, test, test_since, next_check_at) values ('P9', 'lost', 0, 'ok', 0, 0)`);
  await refused(t, db, `${when}: a supervision state of an unknown test state`, sql`insert into supervision_states (device_id, presence, presence_since, test, test_since, next_check_at) values ('P9', 'ok', 0, 'lost', 0, 0)`);
}

/**
 * Migration 0015 writes SQLite's text enum checks as comparisons instead of
 * `in` lists (docs/centre-database.md "Enum checks (migration 0015)"): a
 * database with reports and events stored under 0014 reads the same through
 * every reader afterwards, every check still refuses what it refused and
 * accepts what it accepted, new reports store on, and `down` gives back
 * the very same table definitions. PostgreSQL's checks are left as they are.
 */
onBothEngines(t, 'migration 0015 carries a database with reports forward: the same rows, the same checks refusing the same values', async (t, f) => {
  const db = await f.open();
  t.error((await schemaMigrator(db).migrateTo(BEFORE)).error, 'the database is taken back to 0014');
  const store = await storeReportHistory(db);
  const before = { P1: await reportReaders(db, 'P1'), P2: await reportReaders(db, 'P2') };
  const checksBefore = await checks(db);
  t.ok(Object.keys(checksBefore).length >= 10, `the tables have their checks (${Object.keys(checksBefore).length})`);

  const up = await schemaMigrator(db).migrateToLatest();
  t.error(up.error, 'migrating up carries it forward');
  t.ok(up.results?.some((r) => r.migrationName === '0015-enum-check-comparisons' && r.status === 'Success'), 'with 0015');
  const checksAfter = await checks(db);
  t.same(Object.keys(checksAfter), Object.keys(checksBefore), 'every table keeps its checks');
  if (db.engine === 'sqlite') {
    for (const [table, def] of Object.entries(checksAfter)) {
      t.notMatch(def, /" in \(/, `${table}: no check is an in list any more`);
      t.equal((def.match(/check \(/g) ?? []).length, (checksBefore[table].match(/check \(/g) ?? []).length, `${table}: as many checks as before`);
    }
    t.match(checksAfter.events, /check \("life" = 'active' or "life" = 'cleared'\)/, 'an event\'s life is checked by comparisons');
    const integrity = (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db.kysely)).rows;
    t.same(integrity, [{ integrity_check: 'ok' }], 'SQLite finds the database intact, every row passing the new checks');
  } else {
    t.same(checksAfter, checksBefore, 'PostgreSQL keeps its checks as they were');
  }
  t.same({ P1: await reportReaders(db, 'P1'), P2: await reportReaders(db, 'P2') }, before, 'every reader shows the same reports and events as before');
  await refusesBadValues(t, db, 'after 0015');
  await sql`update events set ack = 'acknowledged', acknowledged_at = 1, acknowledged_by = 'test' where id = (select min(id) from events)`.execute(db.kysely);
  t.pass('a value the check allows is still taken');

  await store.appendReport(encodeReport(sampleReport({ systemId: 'P1', seq: 7, records: [rec(20, T0 + 9000), rec(21, T0 + 9001, true)] })), T0 + 9 * 60_000);
  const p1 = await reportReaders(db, 'P1');
  t.equal(p1.count, 7, 'a new report is stored after it');
  t.equal(p1.active.length, before.P1.active.length + 1, 'with its error an active event beside those before');

  t.error((await schemaMigrator(db).migrateTo(BEFORE)).error, 'down again');
  t.same(await checks(db), checksBefore, 'down gives back the very same table definitions');
  await refusesBadValues(t, db, 'after down');
});
