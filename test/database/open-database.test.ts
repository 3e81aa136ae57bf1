import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { NO_MIGRATIONS } from 'kysely';
import t from 'tap';
import { DatabaseOpenError } from '../../src/database/centre-database.js';
import { schemaMigrator } from '../../src/database/migrate-schema.js';
import { SQLITE_IN_MEMORY } from '../../src/database/sqlite-database.js';
import { openDatabase } from '../../src/database/open-database.js';
import { MIGRATION_TABLE, SCHEMA_MIGRATIONS } from '../../src/database/schema-migrations.js';
import { query } from '../../src/database/work.js';
import { onBothEngines } from '../support/both-engines.js';
import { sharedPostgresCluster } from '../support/shared-postgres.js';
import { freePort } from '../support/lab-child.js';

const TABLES = ['settings', 'devices', 'supervision_states', 'audit_trail'];

onBothEngines(t, 'opening a new database runs every migration, reopening runs none', async (t, f) => {
  const db = await f.open();
  const tables = (await db.kysely.introspection.getTables()).map((x) => x.name);
  for (const name of TABLES) t.ok(tables.includes(name), `table ${name} exists`);
  const applied = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db.kysely);
  t.same(applied.rows.map((r) => r.name), SCHEMA_MIGRATIONS.map((m) => m.name), 'every known migration is recorded, in order');
  await db.close();
  const again = await f.open();
  const { results } = await schemaMigrator(again).migrateToLatest();
  t.same(results, [], 'a second start has nothing to migrate');
});

onBothEngines(t, 'every migration has a down that undoes it, and up again works', async (t, f) => {
  const db = await f.open();
  const down = await schemaMigrator(db).migrateTo(NO_MIGRATIONS);
  t.error(down.error, 'migrating down to nothing succeeds');
  const left = (await db.kysely.introspection.getTables()).map((x) => x.name).filter((n) => TABLES.includes(n));
  t.same(left, [], 'no table of ours is left');
  const up = await schemaMigrator(db).migrateToLatest();
  t.error(up.error, 'migrating up again succeeds');
  t.equal(up.results?.length, SCHEMA_MIGRATIONS.length, 'and runs every migration');
});

onBothEngines(t, 'a database with a newer schema is refused with one clear line and left alone', async (t, f) => {
  const db = await f.open();
  await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(db.kysely);
  await db.close();
  const err = await f.open().then(
    () => undefined,
    (e: Error) => e,
  );
  t.type(err, DatabaseOpenError, 'opening it fails with DatabaseOpenError');
  t.match(err?.message, /newer schema than this program \(it has migration 9999-from-the-future, this program knows up to \d{4}-[a-z-]+\): use a newer hicom-sim/, 'the message names the unknown migration and what to do');
  t.notMatch(err?.message, /\n/, 'in one line');
});

t.test('a SQLite path that cannot be a database gives one clear line', async (t) => {
  const dir = t.testdir();
  const notDb = join(dir, 'notes.txt');
  writeFileSync(notDb, 'this is not a database, but long enough to have a header '.repeat(20));
  await t.rejects(openDatabase({ engine: 'sqlite', path: notDb }), { name: 'DatabaseOpenError', message: /cannot open SQLite database .*notes\.txt: the file is not an SQLite database$/ }, 'a text file');
  mkdirSync(join(dir, 'a-directory.db'));
  await t.rejects(openDatabase({ engine: 'sqlite', path: join(dir, 'a-directory.db') }), { name: 'DatabaseOpenError', message: /cannot open SQLite database .*a-directory\.db: / }, 'a directory');
  writeFileSync(join(dir, 'file'), '');
  await t.rejects(openDatabase({ engine: 'sqlite', path: join(dir, 'file', 'sub', 'c.db') }), { name: 'DatabaseOpenError', message: /cannot open SQLite database .*file\/sub\/c\.db: / }, 'a path through a file');
});

t.test('a PostgreSQL server that is down, a wrong password or a missing database give one clear line', async (t) => {
  const cluster = await sharedPostgresCluster();
  const port = await freePort();
  await t.rejects(openDatabase({ engine: 'postgres', url: `postgres://u:pw@127.0.0.1:${port}/centre` }), { name: 'DatabaseOpenError', message: /^cannot open PostgreSQL database postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/centre: connection refused/ }, 'nobody listening: connection refused');
  const wrong = cluster.url('postgres').replace(cluster.password, 'not-the-password');
  const err = await openDatabase({ engine: 'postgres', url: wrong }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /password authentication failed/, 'a wrong password says so');
  t.notMatch(err?.message, /not-the-password/, 'without repeating the password');
  await t.rejects(openDatabase({ engine: 'postgres', url: cluster.url('no_such_db') }), { name: 'DatabaseOpenError', message: /database "no_such_db" does not exist/ }, 'a missing database is named');
});

t.test('SQLite in memory (a throwaway centre): migrated, commits, and no file anywhere', async (t) => {
  const cwd = process.cwd();
  const dir = t.testdir({});
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const db = await openDatabase({ engine: 'sqlite', path: SQLITE_IN_MEMORY }, { durable: false });
  t.teardown(() => db.close());
  const tables = (await db.kysely.introspection.getTables()).map((x) => x.name);
  for (const name of TABLES) t.ok(tables.includes(name), `table ${name} exists`);
  await db.kysely.insertInto('settings').values({ name: 'k', value: 'v' }).execute();
  t.same(await db.kysely.selectFrom('settings').select('value').where('name', '=', 'k').execute(), [{ value: 'v' }], 'what was committed reads back');
  t.same(readdirSync(dir), [], 'no file was made for it (not even one named ":memory:" in the working directory)');
});

t.test('SQLite in memory: a small page cache over memdb, and pages that left it read back as written', async (t) => {
  const db = await openDatabase({ engine: 'sqlite', path: SQLITE_IN_MEMORY }, { durable: false });
  t.teardown(() => db.close());
  const cache = await sql<{ cache_size: number }>`pragma cache_size`.execute(db.kysely);
  t.equal(cache.rows[0].cache_size, -2000, 'the page cache is 2 MiB (SQLite default), not better-sqlite3\'s 16 MiB, so the truncate at every commit scans a small hash table');
  // 12 MiB of rows in 30 commits: 6 times the cache, so most pages are evicted and read back from the memdb buffer.
  const value = (i: number): string => `${i}:`.padEnd(4000, String.fromCharCode(97 + (i % 26)));
  for (let c = 0; c < 30; c++) {
    await db.run(function* () {
      for (let i = c * 100; i < (c + 1) * 100; i++) yield* query(db.kysely.insertInto('settings').values({ name: `k${i}`, value: value(i) }));
    });
  }
  await t.rejects(
    db.run(function* () {
      yield* query(db.kysely.insertInto('settings').values({ name: 'rolled-back', value: value(0) }));
      throw new Error('abort');
    }),
    /abort/,
    'a failing unit of work rolls back',
  );
  const rows = await db.kysely.selectFrom('settings').select(['name', 'value']).where('name', 'like', 'k%').execute();
  t.equal(rows.length, 3000, 'every committed row is there');
  t.equal(rows.filter((r) => r.value !== value(Number(r.name.slice(1)))).length, 0, 'and each reads back byte for byte');
  t.same(await db.kysely.selectFrom('settings').select('name').where('name', '=', 'rolled-back').execute(), [], 'the rolled-back row is not');
});
