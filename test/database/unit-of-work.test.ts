import t from 'tap';
import { affected, query } from '../../src/database/work.js';
import { onBothEngines } from '../support/both-engines.js';

onBothEngines(t, 'a unit of work commits as a whole or not at all', async (t, f) => {
  const db = await f.open();
  const qb = db.kysely;
  const result = await db.run(function* () {
    const ins = yield* query(qb.insertInto('settings').values([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]));
    const { rows } = yield* query(qb.selectFrom('settings').select(['name', 'value']).orderBy('name'));
    return { inserted: affected(ins), rows };
  });
  t.equal(result.inserted, 2, 'the insert reports its rows');
  t.same(result.rows, [{ name: 'a', value: '1' }, { name: 'b', value: '2' }], 'a read inside the work sees its own writes');
  await t.rejects(
    db.run(function* () {
      yield* query(qb.insertInto('settings').values({ name: 'c', value: '3' }));
      yield* query(qb.insertInto('settings').values({ name: 'a', value: 'again' }));
    }),
    'a failing statement rejects the run',
  );
  const names = (await qb.selectFrom('settings').select('name').orderBy('name').execute()).map((r) => r.name);
  t.same(names, ['a', 'b'], 'and nothing of it stays: c was rolled back with it');
  await t.rejects(
    db.run(function* () {
      yield* query(qb.deleteFrom('settings'));
      throw new Error('changed my mind');
    }),
    /changed my mind/,
    'an error thrown by the work itself rejects too',
  );
  t.equal((await qb.selectFrom('settings').select('name').execute()).length, 2, 'and rolls back the delete');
  t.equal(typeof db.runNow, f.engine === 'sqlite' ? 'function' : 'undefined', 'only SQLite runs work synchronously');
});
