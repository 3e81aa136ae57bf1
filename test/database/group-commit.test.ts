import pg from 'pg';
import t from 'tap';
import { GroupCommit } from '../../src/database/group-commit.js';
import { query } from '../../src/database/work.js';
import { onBothEngines } from '../support/both-engines.js';
import { sharedPostgresCluster } from '../support/shared-postgres.js';
import { openDatabase } from '../../src/database/open-database.js';

onBothEngines(t, 'units submitted together commit in one transaction; each promise resolves after the commit', async (t, f) => {
  const db = await f.open();
  const writer = new GroupCommit(db);
  const qb = db.kysely;
  const promises = Array.from({ length: 50 }, (_, i) => writer.submit(function* () {
    yield* query(qb.insertInto('settings').values({ name: `k${i}`, value: String(i) }));
    return i;
  }));
  // Seen from another connection, nothing is there before the promises resolve on PostgreSQL; on SQLite the commit is synchronous.
  const results = await Promise.all(promises);
  t.same(results, Array.from({ length: 50 }, (_, i) => i), 'each caller gets its own result');
  t.equal(writer.stats.batches, 1, 'one transaction for all fifty');
  const other = await f.open();
  t.equal((await other.kysely.selectFrom('settings').selectAll().where('name', 'like', 'k%').execute()).length, 50, 'another connection sees all of them once resolved');
});

onBothEngines(t, 'a failing unit rejects alone; the others in its batch still commit', async (t, f) => {
  const db = await f.open();
  const writer = new GroupCommit(db);
  const qb = db.kysely;
  const ok = (name: string) => writer.submit(function* () {
    yield* query(qb.insertInto('settings').values({ name, value: '' }));
  });
  const a = ok('a');
  const dup = writer.submit(function* () {
    yield* query(qb.insertInto('settings').values({ name: 'x', value: '' }));
    yield* query(qb.insertInto('settings').values({ name: 'x', value: '' }));
  });
  const b = ok('b');
  const refused = t.rejects(dup, 'the unit that violates a constraint rejects');
  await a;
  await b;
  await refused;
  t.same((await qb.selectFrom('settings').select('name').where('name', 'in', ['a', 'b', 'x']).orderBy('name').execute()).map((r) => r.name), ['a', 'b'], 'a and b are stored, nothing of the failed unit');
  t.equal(writer.stats.splits, 1, 'the batch was split once to find it');
});

t.test('PostgreSQL down: every unit rejects, none is reported stored', async (t) => {
  const cluster = await sharedPostgresCluster();
  const url = await cluster.createDatabase();
  const db = await openDatabase({ engine: 'postgres', url }, { poolSize: 2 });
  t.teardown(() => db.close());
  const writer = new GroupCommit(db);
  // Make the database refuse new connections and kill this one's: for it, the server is gone.
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  t.teardown(() => admin.end());
  const name = new URL(url).pathname.slice(1);
  await admin.query(`alter database "${name}" allow_connections false`);
  await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
  const qb = db.kysely;
  const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => writer.submit(function* () {
    yield* query(qb.insertInto('settings').values({ name: `down${i}`, value: '' }));
  })));
  t.same(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected', 'rejected'], 'every caller is told it was not stored');
  await admin.query(`alter database "${name}" allow_connections true`);
  await writer.submit(function* () {
    yield* query(qb.insertInto('settings').values({ name: 'back', value: '' }));
  });
  t.equal((await qb.selectFrom('settings').select('name').where('name', 'like', 'down%').execute()).length, 0, 'nothing of what was rejected is there');
  t.pass('and once the database is back, the writer commits again');
});
