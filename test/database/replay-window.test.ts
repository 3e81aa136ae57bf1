import t from 'tap';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { GroupCommit } from '../../src/database/group-commit.js';
import { openDatabase } from '../../src/database/open-database.js';
import { insertCheckIn } from '../../src/database/check-ins.js';
import { readReplayWindow, takeCounter } from '../../src/database/replay-windows.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { engineFixture, onBothEngines } from '../support/both-engines.js';

const by = { actor: 'test' };

onBothEngines(t, 'a counter is taken once; below the 64-wide window is a replay; rekey starts afresh', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  await registry.add('D1', 'key-depot', {}, by);
  const take = (c: number) => db.run(() => takeCounter(db.kysely, 'D1', c));
  t.equal(await take(100), 'fresh', 'the first counter is fresh');
  t.equal(await take(100), 'replay', 'the same again is a replay');
  t.equal(await take(90), 'fresh', 'an older unseen counter inside the window is fresh');
  t.equal(await take(90), 'replay', 'but only once');
  t.equal(await take(37), 'fresh', 'highest − 63 is still inside the window');
  t.equal(await take(36), 'replay', 'highest − 64 is below it: a replay');
  t.equal(await take(0xffffffff), 'fresh', 'the largest u32 is taken');
  const w = await db.run(() => readReplayWindow(db.kysely, 'D1'));
  t.equal(w?.highest, 0xffffffff, 'the window moved to it');
  t.equal(await db.run(() => takeCounter(db.kysely, 'NOPE', 1)), undefined, 'an unknown device has no window');
  await registry.rekey('D1', by);
  t.equal(await take(1), 'fresh', 'after a rekey counter 1 is fresh again');
});

onBothEngines(t, 'the window survives a mask with every bit set (beyond 2^53)', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  await registry.add('D1', 'pbx', {}, by);
  for (let c = 1; c <= 64; c++) t.equal(await db.run(() => takeCounter(db.kysely, 'D1', c)), 'fresh', `counter ${c}`);
  const w = await db.run(() => readReplayWindow(db.kysely, 'D1'));
  t.equal(w?.mask, (1n << 63n) - 1n, 'all 63 bits below the highest are set and read back exactly');
  for (let c = 2; c <= 64; c++) if ((await db.run(() => takeCounter(db.kysely, 'D1', c))) !== 'replay') t.fail(`counter ${c} was taken twice`);
  t.pass('every one of them is now a replay');
});

t.test('PostgreSQL: several intake processes taking the same counters concurrently take each exactly once', async (t) => {
  const f = await engineFixture(t, 'postgres');
  const setup = await f.open();
  const registry = await DeviceRegistry.open(setup, MasterKey.load(f.stateDir, {}));
  const devices = ['D1', 'D2', 'D3'];
  for (const d of devices) await registry.add(d, 'key-depot', {}, by);
  // Three "processes": each its own connection pool and its own batching writer, as three intake processes would have.
  const intakes = await Promise.all([1, 2, 3].map(async () => {
    const db = await openDatabase(f.location, { poolSize: 4 });
    t.teardown(() => db.close());
    return { db, writer: new GroupCommit(db, { maxBatch: 16 }) };
  }));
  const COUNTERS = 120;
  const attempts: Array<Promise<{ device: string; counter: number; verdict: string | undefined }>> = [];
  for (let c = 1; c <= COUNTERS; c++) {
    for (const device of devices) {
      for (const { db, writer } of intakes) {
        // The same telegram (device, counter) arrives at every process: accept and store it, or call it a replay.
        attempts.push(writer.submit(function* () {
          const verdict = yield* takeCounter(db.kysely, device, c);
          if (verdict === 'fresh') yield* insertCheckIn(db.kysely, { deviceId: device, receivedAt: Date.now(), counter: c, deviceTimeMs: 0, source: 'test' });
          return verdict;
        }).then((verdict) => ({ device, counter: c, verdict })));
      }
    }
  }
  const results = await Promise.all(attempts);
  const fresh = new Map<string, number>();
  for (const r of results) if (r.verdict === 'fresh') fresh.set(`${r.device}/${r.counter}`, (fresh.get(`${r.device}/${r.counter}`) ?? 0) + 1);
  t.equal(fresh.size, COUNTERS * devices.length, 'every (device, counter) was accepted by some process');
  t.same([...fresh.values()].filter((n) => n !== 1), [], 'and by exactly one');
  t.equal(results.filter((r) => r.verdict === 'replay').length, COUNTERS * devices.length * (intakes.length - 1), 'all the other copies were replays');
  const stored = await setup.kysely.selectFrom('check_ins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(Number(stored.n), COUNTERS * devices.length, 'one check-in row per accepted telegram, none twice');
  t.ok(intakes.every((i) => i.writer.stats.batches < i.writer.stats.items), 'the writers batched (fewer transactions than units)');
});
