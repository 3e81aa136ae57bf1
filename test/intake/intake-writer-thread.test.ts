import t, { type Test } from 'tap';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { CheckInIntake } from '../../src/centre/check-in-intake.js';
import { CheckInStoreWorker } from '../../src/centre/check-in-store-worker.js';
import { CheckIns } from '../../src/database/check-ins.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { SqliteDatabase } from '../../src/database/sqlite-database.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { engineFixture } from '../support/both-engines.js';
import { TelegramProbe } from '../support/telegram-probe.js';

const by = { actor: 'test' };
const nowS = (): number => Math.floor(Date.now() / 1000);

/** An intake on SQLite whose check-ins commit in the writer thread, and a second intake on the same file committing on its own thread. */
async function rig(t: Test) {
  const f = await engineFixture(t, 'sqlite');
  const db = await f.open();
  if (!(db instanceof SqliteDatabase)) throw new Error('not SQLite');
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const writer = await CheckInStoreWorker.start(db);
  const port = await UdpDatagramPort.open({ port: 0 });
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom, lanes: [writer] });
  const db2 = await f.open();
  const port2 = await UdpDatagramPort.open({ port: 0 });
  const other = new CheckInIntake({ db: db2, registry: await DeviceRegistry.open(db2, MasterKey.load(f.stateDir, {})), port: port2, clock: new RealClock(), random: cryptoRandom });
  const probe = await TelegramProbe.open(port.address);
  const probe2 = await TelegramProbe.open(port2.address);
  t.teardown(async () => {
    probe.close();
    probe2.close();
    await intake.close();
    await other.close();
  });
  return { db, registry, writer, intake, probe, probe2 };
}

t.test('check-ins committed by the writer thread are acknowledged after their commit, events listed and stored once', async (t) => {
  const { db, registry, intake, probe } = await rig(t);
  const { key } = await registry.add('WT-1', 'key-depot', {}, by);
  const ev = { seq: 5, time: nowS(), type: 'door-open' };
  const ack = await probe.checkIn('WT-1', key, 1, { events: [ev] });
  t.same(ack?.type === 'ack' && [ack.counter, ack.body.accepted], [1, [5]], 'acknowledged, listing the event');
  t.equal((await new CheckIns(db).recent('WT-1')).length, 1, 'the check-in is readable on the main connection as soon as the ack is out: committed before it');
  t.equal((await new EventLog(db).list({ deviceId: 'WT-1', type: 'door-open' })).length, 1, 'and the event');
  const again = await probe.checkIn('WT-1', key, 2, { events: [ev] });
  t.same(again?.type === 'ack' && again.body.accepted, [5], 'a resent event is listed again');
  t.equal((await new EventLog(db).list({ deviceId: 'WT-1', type: 'door-open' })).length, 1, 'but stored once');
  const replay = await probe.checkIn('WT-1', key, 2, {});
  t.same(replay?.type === 'nak' && replay.body.reason, 'replay', 'the same counter again: nak replay');
  t.equal(intake.stats.acks, 2, 'two acks counted on the intake');
});

t.test('the replay window holds between the writer thread and another intake on the same file: one ack per counter', async (t) => {
  const { registry, probe, probe2 } = await rig(t);
  const { key } = await registry.add('WT-2', 'key-depot', {}, by);
  t.equal((await probe.checkIn('WT-2', key, 10, {}))?.type, 'ack', 'counter 10 through the writer thread');
  const through2 = await probe2.checkIn('WT-2', key, 10, {});
  t.same(through2?.type === 'nak' && through2.body.reason, 'replay', 'the same counter through the other intake: replay');
  t.equal((await probe2.checkIn('WT-2', key, 11, {}))?.type, 'ack', 'counter 11 through the other intake');
  const back = await probe.checkIn('WT-2', key, 11, {});
  t.same(back?.type === 'nak' && back.body.reason, 'replay', 'and 11 again through the writer thread: replay, though its guess of the window was 10');
  const both = await Promise.all([probe.checkIn('WT-2', key, 12, {}), probe2.checkIn('WT-2', key, 12, {})]);
  t.same(both.map((a) => a?.type).sort(), ['ack', 'nak'], 'counter 12 sent to both at once: exactly one ack');
});

t.test('a writer thread that dies answers nothing it held, and a new one takes over', async (t) => {
  const { db, registry, writer, intake, probe } = await rig(t);
  const { key } = await registry.add('WT-3', 'key-depot', {}, by);
  t.equal((await probe.checkIn('WT-3', key, 1, {}))?.type, 'ack', 'acknowledged before the crash');
  const held = writer.store({ telegram: { type: 'check-in', deviceId: 'WT-3', counter: 2, time: nowS(), nonce: new Uint8Array(12), body: {} }, receivedAt: Date.now(), source: '127.0.0.1:9', window: undefined });
  await writer.crashThread();
  await t.rejects(held, /check-in writer thread (stopped|restarting)/, 'what the dead thread held is rejected: not committed, so not answered');
  await writer.running();
  const ack = await probe.checkIn('WT-3', key, 2, { events: [{ seq: 1, time: nowS(), type: 'door-open' }] });
  t.same(ack?.type === 'ack' && ack.body.accepted, [1], 'the new thread commits and the intake acknowledges');
  t.equal((await new CheckIns(db).recent('WT-3')).length, 2, 'the two acknowledged check-ins are stored, the rejected one not');
  t.equal(intake.stats.acks, 2, 'two acks');
});

t.test('a writer thread refuses a file it cannot open, with the reason', async (t) => {
  await t.rejects(CheckInStoreWorker.start({ path: '/proc/no/such/centre.db', durable: true }), /cannot open SQLite database \/proc\/no\/such\/centre\.db/, 'start rejects with the open error of the thread');
});
