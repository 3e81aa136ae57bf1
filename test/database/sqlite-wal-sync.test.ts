import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import t, { type Test } from 'tap';
import { GroupCommit } from '../../src/database/group-commit.js';
import { SqliteDatabase } from '../../src/database/sqlite-database.js';
import { query } from '../../src/database/work.js';
import { engineFixture } from '../support/both-engines.js';

type FsyncCallback = (err: NodeJS.ErrnoException | null) => void;

/**
 * `fs.fsync` held in the test's hand: every call waits until the test
 * releases it (or fails it). `SqliteDatabase` imports `fsync` from
 * node:fs, and `syncBuiltinESMExports` makes its binding see the fake.
 */
function heldFsync(t: Test) {
  const real = fs.fsync;
  const calls: Array<{ path: string; done: FsyncCallback }> = [];
  fs.fsync = ((fd: number, done: FsyncCallback) => {
    calls.push({ path: fs.readlinkSync(`/proc/self/fd/${fd}`), done });
  }) as unknown as typeof fs.fsync;
  syncBuiltinESMExports();
  t.teardown(() => {
    fs.fsync = real;
    syncBuiltinESMExports();
  });
  return {
    calls,
    release(err: NodeJS.ErrnoException | null = null): void {
      const c = calls.shift();
      if (!c) throw new Error('no fsync is waiting');
      c.done(err);
    },
  };
}

/** Whether `p` has settled after the event loop had a few turns to do so. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
}

const insert = (db: SqliteDatabase, name: string) => db.run(function* () {
  yield* query(db.kysely.insertInto('settings').values({ name, value: '' }));
  return name;
});

const names = async (db: SqliteDatabase) => (await db.kysely.selectFrom('settings').select('name').where('name', 'like', 'w%').orderBy('name').execute()).map((r) => r.name);

t.test('run() resolves only after an fsync of the WAL file that began after its commit; commits made meanwhile share the next one', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const db = (await f.open()) as SqliteDatabase;
  const path = f.location.engine === 'sqlite' ? f.location.path : '';
  const fsync = heldFsync(t);
  const first = insert(db, 'w1');
  t.equal(fsync.calls.length, 1, 'the commit asked for one fsync');
  t.equal(fsync.calls[0].path, `${path}-wal`, 'of the WAL file');
  t.same(await names(db), ['w1'], 'the transaction has committed (the next one sees it) ...');
  t.notOk(await settled(first), '... but run() has not resolved: nothing may be acknowledged before the disk has it');
  const later = [insert(db, 'w2'), insert(db, 'w3'), insert(db, 'w4')];
  t.equal(fsync.calls.length, 1, 'commits made while an fsync runs start no fsync of their own');
  fsync.release();
  t.equal(await first, 'w1', 'the first resolves once its fsync completed');
  await new Promise((r) => setImmediate(r));
  t.equal(fsync.calls.length, 1, 'then one fsync starts for the three that committed meanwhile');
  t.notOk(await settled(Promise.all(later)), 'they wait for it: the first fsync began before they committed');
  fsync.release();
  t.same(await Promise.all(later), ['w2', 'w3', 'w4'], 'all three resolve after that one');
  const reading = db.run(function* () {
    return (yield* query(db.kysely.selectFrom('settings').select('name'))).rows.length;
  });
  t.ok(await settled(reading), 'a transaction that wrote nothing needs no fsync');
  t.equal(fsync.calls.length, 0, 'and asked for none');
});

t.test('a failed fsync fails its commits and every later one: nothing after it is acknowledged', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const db = (await f.open()) as SqliteDatabase;
  const fsync = heldFsync(t);
  const lost = insert(db, 'w1');
  const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  fsync.release(eio);
  await t.rejects(lost, /cannot sync the SQLite WAL .*centre\.db-wal: EIO/, 'the commit whose fsync failed rejects, with the file and the reason');
  await t.rejects(insert(db, 'w2'), /cannot sync the SQLite WAL/, 'a later commit rejects too (the kernel may have dropped what it could not write)');
  t.equal(fsync.calls.length, 0, 'without trying another fsync that might wrongly succeed');
  t.throws(() => db.runNow(function* () {
    yield* query(db.kysely.insertInto('settings').values({ name: 'w3', value: '' }));
  }), /cannot sync the SQLite WAL/, 'and runNow, which syncs on the spot, throws the same');
});

t.test('runNow is durable when it returns: it syncs the WAL on this thread', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const db = (await f.open()) as SqliteDatabase;
  const path = f.location.engine === 'sqlite' ? f.location.path : '';
  const real = fs.fsyncSync;
  const synced: string[] = [];
  fs.fsyncSync = (fd: number) => {
    synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    real(fd);
  };
  syncBuiltinESMExports();
  t.teardown(() => {
    fs.fsyncSync = real;
    syncBuiltinESMExports();
  });
  db.runNow(function* () {
    yield* query(db.kysely.insertInto('settings').values({ name: 'w1', value: '' }));
  });
  t.same(synced, [`${path}-wal`], 'one fsync of the WAL file before runNow returned');
});

t.test('group commit on SQLite: the next batch runs while the last one waits for its fsync, and outcomes resolve in order', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const db = (await f.open()) as SqliteDatabase;
  const fsync = heldFsync(t);
  const writer = new GroupCommit(db);
  const put = (name: string) => writer.submit(function* () {
    yield* query(db.kysely.insertInto('settings').values({ name, value: '' }));
    return name;
  });
  const a = [put('w1'), put('w2')];
  while (fsync.calls.length === 0) await new Promise((r) => setImmediate(r));
  t.equal(writer.stats.batches, 1, 'the first batch committed and waits for its fsync');
  const b = [put('w3'), put('w4')];
  for (let i = 0; i < 5 && writer.stats.batches < 2; i++) await new Promise((r) => setImmediate(r));
  t.equal(writer.stats.batches, 2, 'the second batch ran meanwhile, not after the first fsync');
  t.same(await names(db), ['w1', 'w2', 'w3', 'w4'], 'both transactions have committed');
  const c = put('w5');
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  t.equal(writer.stats.batches, 2, 'a third waits: two batches in flight at most');
  t.notOk(await settled(Promise.all([...a, ...b])), 'nothing resolves before its fsync');
  const order: string[] = [];
  for (const p of [...a, ...b, c]) void p.then((n) => order.push(n));
  fsync.release();
  await Promise.all(a);
  t.notOk(await settled(Promise.all(b)), 'the second batch still waits: its commit came after the first fsync began');
  while (fsync.calls.length === 0) await new Promise((r) => setImmediate(r));
  fsync.release();
  await Promise.all(b);
  while (fsync.calls.length === 0) await new Promise((r) => setImmediate(r));
  fsync.release();
  await c;
  t.same(order, ['w1', 'w2', 'w3', 'w4', 'w5'], 'outcomes resolved in the order the batches ran');
  t.equal(writer.stats.batches, 3, 'the third batch ran once a slot was free');
  await writer.flush();
});
