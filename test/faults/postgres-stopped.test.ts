import t from 'tap';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { CheckInIntake } from '../../src/centre/check-in-intake.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { openDatabase } from '../../src/database/open-database.js';
import { parseDatabaseUrl } from '../../src/database/database-url.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { DeviceSwarm } from '../support/device-swarm.js';
import { tempDir } from '../support/lab-child.js';
import { pollUntil } from '../support/poll-until.js';
import { startPostgresCluster } from '../support/postgres-cluster.js';

/**
 * PostgreSQL stopped in the middle of intake (issue 11): nothing that was
 * not committed is acknowledged, the devices keep their queues, and once
 * the server is back everything arrives — once.
 */
t.test('PostgreSQL stopped mid-run: no ack without a commit, queues kept, everything arrives once when it is back', async (t) => {
  // Durable as in production: an immediate stop must not lose what the server said was committed.
  const cluster = await startPostgresCluster({ durable: true });
  t.teardown(() => cluster.stop());
  const db = await openDatabase(parseDatabaseUrl(await cluster.createDatabase('stopped')));
  const registry = await DeviceRegistry.open(db, MasterKey.load(tempDir(t), {}));
  const devices = [];
  for (let i = 0; i < 4; i++) devices.push({ id: `PG-${i}`, key: (await registry.add(`PG-${i}`, 'key-depot', {}, { actor: 'test' })).key });
  const port = await UdpDatagramPort.open({ port: 0 });
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom });
  const swarm = new DeviceSwarm(devices, 500);
  t.teardown(async () => {
    await swarm.stop();
    swarm.close();
    await intake.close();
    await db.close();
  });
  swarm.target = port.address;
  await swarm.start();
  const acked = () => swarm.devices.reduce((n, d) => n + d.ackedCounters.length, 0);
  await pollUntil(() => acked() > 20, 'acks while the server runs', 20_000);

  cluster.pause();
  // Commits in flight when it went down may still have been acknowledged; from then on nothing is.
  await new Promise((r) => setTimeout(r, 1000));
  const atStop = acked();
  await new Promise((r) => setTimeout(r, 2000));
  t.equal(acked(), atStop, 'while PostgreSQL is down no check-in is acknowledged');
  t.ok(intake.stats.notCommitted > 0, `the intake left ${intake.stats.notCommitted} check-ins unanswered because they did not commit`);
  t.ok(swarm.devices.every((d) => d.queue.length > 0), 'every device still has its events queued');

  cluster.start();
  await pollUntil(() => acked() > atStop, 'acks again once PostgreSQL is back', 30_000);
  swarm.newEvents = false;
  await pollUntil(() => swarm.devices.every((d) => d.queue.length === 0), 'the devices to send everything they queued', 30_000);
  await swarm.stop();

  const stored = await db.kysely.selectFrom('events').select(['device_id', 'device_seq']).execute();
  const byDevice = new Map<string, number[]>();
  for (const r of stored) byDevice.set(r.device_id, [...(byDevice.get(r.device_id) ?? []), Number(r.device_seq)]);
  for (const d of swarm.devices) {
    const seqs = (byDevice.get(d.id) ?? []).sort((a, b) => a - b);
    t.same(seqs, Array.from({ length: d.nextSeq - 1 }, (_, i) => i + 1), `${d.id}: every event it made arrived, once`);
    const counters = new Set((await db.kysely.selectFrom('check_ins').select('counter').where('device_id', '=', d.id).execute()).map((r) => Number(r.counter)));
    t.same(d.ackedCounters.filter((c) => !counters.has(c)), [], `${d.id}: every acknowledged check-in is stored`);
  }
});
