import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import type { BusMessage } from '../../src/database/event-bus.js';
import { MemoryEventBus } from '../../src/database/memory-event-bus.js';
import { openDatabase } from '../../src/database/open-database.js';
import { openEventBus } from '../../src/database/open-event-bus.js';
import { EVENT_CHANNEL, PostgresEventBus } from '../../src/database/postgres-event-bus.js';
import { PostgresDatabase } from '../../src/database/postgres-database.js';
import { postgresBinDir } from '../support/postgres-cluster.js';
import { sharedPostgresCluster } from '../support/shared-postgres.js';

function inbox(bus: { subscribe(l: (m: BusMessage) => void): () => void }): { got: BusMessage[]; next(pred?: (m: BusMessage) => boolean): Promise<BusMessage> } {
  const got: BusMessage[] = [];
  const waiters: Array<{ pred: (m: BusMessage) => boolean; done: (m: BusMessage) => void }> = [];
  bus.subscribe((m) => {
    got.push(m);
    for (const w of [...waiters]) if (w.pred(m)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done(m);
    }
  });
  return {
    got,
    next: (pred = () => true) => {
      const seen = got.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error('no message within 10 s')), 10_000);
        waiters.push({ pred, done: (m) => (clearTimeout(timer), done(m)) });
      });
    },
  };
}

t.test('in-process bus: every subscriber gets every message, later, as a copy; a throwing one does not stop the rest', async (t) => {
  const bus = new MemoryEventBus();
  const a = inbox(bus);
  bus.subscribe(() => {
    throw new Error('broken listener');
  });
  const b = inbox(bus);
  const msg = { topic: 'event', id: 1 };
  const published = bus.publish(msg);
  t.same(a.got, [], 'not delivered synchronously');
  msg.id = 2;
  await published;
  t.same(await a.next(), { topic: 'event', id: 1 }, 'the first subscriber got it, as it was when published');
  t.same(await b.next(), { topic: 'event', id: 1 }, 'the one after a throwing listener too');
});

t.test('PostgreSQL LISTEN/NOTIFY: messages travel between connections and from another process', async (t) => {
  const cluster = await sharedPostgresCluster();
  const url = await cluster.createDatabase();
  const open = async () => {
    const db = await openDatabase({ engine: 'postgres', url }, { poolSize: 2 });
    const bus = await openEventBus(db, new RealClock());
    t.teardown(async () => {
      await bus.close();
      await db.close();
    });
    return bus;
  };
  const intake = await open();
  const portal = await open();
  t.type(intake, PostgresEventBus, 'on PostgreSQL the bus is LISTEN/NOTIFY');
  const atPortal = inbox(portal);
  const atIntake = inbox(intake);
  await intake.publish({ topic: 'event', id: 4711, deviceId: 'DEP-1' });
  t.same(await atPortal.next(), { topic: 'event', id: 4711, deviceId: 'DEP-1' }, 'the other connection (a portal process) hears it');
  t.same(await atIntake.next(), { topic: 'event', id: 4711, deviceId: 'DEP-1' }, 'and the publisher hears its own, the same way');

  // Another process entirely: psql sends the NOTIFY.
  const psql = spawnSync(join(postgresBinDir(), 'psql'), [url, '-c', `select pg_notify('${EVENT_CHANNEL}', '{"topic":"check-in","deviceId":"HSIM-0001"}')`], { encoding: 'utf8' });
  t.equal(psql.status, 0, `psql ran: ${psql.stderr}`);
  t.same(await atPortal.next((m) => m.topic === 'check-in'), { topic: 'check-in', deviceId: 'HSIM-0001' }, 'a message from another process arrives');
  await t.rejects(intake.publish({ topic: 'big', blob: 'x'.repeat(9000) }), /over PostgreSQL's NOTIFY limit/, 'a message too big for NOTIFY is refused, not truncated');
});

t.test('PostgreSQL: a listener whose connection is killed listens again and says resync', async (t) => {
  const cluster = await sharedPostgresCluster();
  const url = await cluster.createDatabase();
  const db = await openDatabase({ engine: 'postgres', url }, { poolSize: 2 });
  const clock = new VirtualClock();
  const bus = await PostgresEventBus.open(db as PostgresDatabase, clock);
  t.teardown(async () => {
    await bus.close();
    await db.close();
  });
  const box = inbox(bus);
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  t.teardown(() => admin.end());
  const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like 'listen%'`, [new URL(url).pathname.slice(1)]);
  t.equal(killed.rowCount, 1, 'the listening connection was killed');
  await new Promise((r) => setTimeout(r, 200));
  clock.advance(1_000);
  t.same(await box.next((m) => m.topic === 'resync'), { topic: 'resync' }, 'after the relisten delay the subscribers are told to resync');
  await bus.publish({ topic: 'event', id: 5 });
  t.same(await box.next((m) => m.topic === 'event'), { topic: 'event', id: 5 }, 'and messages flow again');
});
