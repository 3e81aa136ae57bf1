import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { encodeTelegram } from '../../core/check-in-telegram.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { CheckInIntake, REJECT_FLUSH_MS } from '../../src/centre/check-in-intake.js';
import { checkInCommit, groupCommitLane } from '../../src/centre/check-in-lane.js';
import { CheckIns } from '../../src/database/check-ins.js';
import { DeviceCommands } from '../../src/database/device-commands.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { RejectCounters } from '../../src/database/reject-counters.js';
import { MemoryEventBus } from '../../src/database/memory-event-bus.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { VirtualClock } from '../../core/clock.js';
import { onBothEngines, type EngineFixture } from '../support/both-engines.js';
import { TelegramProbe } from '../support/telegram-probe.js';

const by = { actor: 'test' };

async function intakeOn(t: Test, f: EngineFixture) {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const port = await UdpDatagramPort.open({ port: 0 });
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom });
  const probe = await TelegramProbe.open(port.address);
  t.teardown(async () => {
    probe.close();
    await intake.close();
  });
  return { db, registry, intake, probe };
}

onBothEngines(t, 'a check-in is acknowledged after its commit, with its events listed and stored once', async (t, f) => {
  const { db, registry, intake, probe } = await intakeOn(t, f);
  const { key } = await registry.add('SD-0001', 'key-depot', {}, by);
  const ev = { seq: 12, time: Math.floor(Date.now() / 1000) - 30, type: 'key-taken', compartment: 3, holder: 'Meier' };
  const ack = await probe.checkIn('SD-0001', key, 7, { status: { door: 'closed' }, events: [ev] });
  t.equal(ack?.type, 'ack', 'a registered device with a good tag gets an ack');
  if (ack?.type !== 'ack') return;
  t.equal(ack.counter, 7, 'answering its counter');
  t.same(ack.body.accepted, [12], 'listing the stored event');
  t.ok(Math.abs(ack.body.serverTime - Date.now() / 1000) < 5, 'with the centre time');
  const events = await new EventLog(db).list({ deviceId: 'SD-0001' });
  t.same(events.map((e) => [e.type, e.deviceSeq, e.data.compartment, e.data.holder, e.life]), [['key-taken', 12, 3, 'Meier', 'cleared']], 'the event is in the database (a key taken only informs: born cleared)');
  t.equal((await new CheckIns(db).recent('SD-0001')).length, 1, 'and the check-in');

  const again = await probe.checkIn('SD-0001', key, 8, { events: [ev] });
  t.same(again?.type === 'ack' && again.body.accepted, [12], 'a resent event is listed again');
  t.equal((await new EventLog(db).list({ deviceId: 'SD-0001' })).length, 1, 'but stored once');
  t.equal(intake.stats.acks, 2, 'two acks counted');
});

onBothEngines(t, 'replays and clock skew get a nak with the server time; the window holds', async (t, f) => {
  const { db, registry, probe } = await intakeOn(t, f);
  const { key } = await registry.add('SD-0002', 'key-depot', {}, by);
  t.equal((await probe.checkIn('SD-0002', key, 100, {}))?.type, 'ack', 'counter 100 is fresh');
  const replay = await probe.checkIn('SD-0002', key, 100, {});
  t.same(replay?.type === 'nak' && [replay.body.reason, replay.body.counter], ['replay', 100], 'the same counter again: nak replay');
  const old = await probe.checkIn('SD-0002', key, 36, {});
  t.same(old?.type === 'nak' && old.body.reason, 'replay', 'a counter 64 below the highest: replay');
  t.equal((await probe.checkIn('SD-0002', key, 99, {}))?.type, 'ack', 'a lower counter inside the window, never seen: ack');
  const skew = await probe.checkIn('SD-0002', key, 101, {}, Math.floor(Date.now() / 1000) - 600);
  t.ok(skew?.type === 'nak' && skew.body.reason === 'clock-skew', 'a clock 10 minutes off: nak clock-skew');
  if (skew?.type === 'nak') t.ok(Math.abs(skew.body.serverTime - Date.now() / 1000) < 5, 'carrying the centre time to resync from');
  const used = await probe.checkIn('SD-0002', key, 101, {});
  t.same(used?.type === 'nak' && used.body.reason, 'replay', 'the skewed counter is used up all the same');
  const counts = await new RejectCounters(db).list('SD-0002');
  t.same(counts.map((c) => [c.reason, c.count]), [['clock-skew', 1], ['replay', 3]], 'naks are counted per device and reason');
});

onBothEngines(t, 'unknown ids, bad tags and malformed datagrams get silence and a counter', async (t, f) => {
  const { db, registry, intake, probe } = await intakeOn(t, f);
  const { key } = await registry.add('SD-0003', 'key-depot', {}, by);
  const stranger = randomBytes(32);
  t.equal(await probe.checkIn('NOBODY', stranger, 1, {}, undefined, 300), undefined, 'an unknown id: no answer');
  t.equal(await probe.checkIn('SD-0003', stranger, 1, {}, undefined, 300), undefined, 'a wrong key: no answer');
  const good = encodeTelegram({ type: 'check-in', deviceId: 'SD-0003', counter: 2, time: Math.floor(Date.now() / 1000), body: {} }, key, randomBytes(12));
  const flipped = Uint8Array.from(good);
  flipped[flipped.length - 20] ^= 1;
  t.equal(await probe.exchange(flipped, 300), undefined, 'one bit flipped in the body: no answer');
  t.equal(await probe.exchange(Buffer.from('hello'), 300), undefined, 'garbage: no answer');
  t.equal(await probe.exchange(good.subarray(0, 30), 300), undefined, 'a truncated telegram: no answer');
  await intake.flushRejects();
  const counts = (await new RejectCounters(db).list()).map((c) => [c.deviceId, c.reason, c.count]);
  // Garbage names no device: counted under ''. A telegram cut short still names its device (spec §5.2: counted per device id).
  t.same(counts, [['', 'malformed', 1], ['NOBODY', 'unknown-device', 1], ['SD-0003', 'bad-tag', 2], ['SD-0003', 'malformed', 1]], 'each counted under its device id and reason');
  const ack = encodeTelegram({ type: 'ack', deviceId: 'SD-0003', counter: 9, time: Math.floor(Date.now() / 1000), body: { counter: 9, serverTime: 1, accepted: [], commands: [] } }, key, randomBytes(12));
  t.equal(await probe.exchange(ack, 300), undefined, 'an ack sent to the centre: no answer');
  await intake.flushRejects();
  t.same((await new RejectCounters(db).list('SD-0003')).map((c) => [c.reason, c.count]), [['bad-tag', 2], ['malformed', 2]], 'counted as malformed under its id');
  const rejected = await new EventLog(db).list({ deviceId: 'SD-0003', type: 'rejected-telegrams' });
  t.equal(rejected.length, 1, 'a registered device with rejected telegrams has one active event saying so (not "offline")');
  t.equal((await probe.checkIn('SD-0003', key, 3, {}))?.type, 'ack', 'the right key still checks in');
  t.equal((await new EventLog(db).list({ deviceId: 'SD-0003', type: 'rejected-telegrams', life: 'active' })).length, 0, 'which clears the rejected-telegrams event');
});

onBothEngines(t, 'queued commands ride in acks until the device reports them', async (t, f) => {
  const { db, registry, probe } = await intakeOn(t, f);
  const { key } = await registry.add('SD-0004', 'key-depot', {}, by);
  const commands = new DeviceCommands(db);
  const c1 = await commands.queue('SD-0004', { type: 'release', fields: { compartment: 2 }, at: Date.now(), by: 'test' });
  const c2 = await commands.queue('SD-0004', { type: 'interval', fields: { seconds: 120 }, at: Date.now(), by: 'test' });
  t.same([c1.commandId, c2.commandId], [1, 2], 'command ids rise per device from 1');
  const a1 = await probe.checkIn('SD-0004', key, 1, {});
  t.same(a1?.type === 'ack' && a1.body.commands, [{ compartment: 2, id: 1, type: 'release' }, { seconds: 120, id: 2, type: 'interval' }], 'both ride in the ack');
  t.same((await commands.list('SD-0004')).map((c) => [c.commandId, c.state, c.deliveries]), [[2, 'delivered', 1], [1, 'delivered', 1]], 'and are marked delivered');
  const now = Math.floor(Date.now() / 1000);
  const a2 = await probe.checkIn('SD-0004', key, 2, { events: [{ seq: 1, time: now, type: 'command', command: 1, result: 'done', detail: '' }] });
  t.same(a2?.type === 'ack' && a2.body.commands.map((c) => c.id), [2], 'after command 1 is reported only command 2 is repeated');
  const c1after = await commands.get('SD-0004', 1);
  t.same([c1after?.state, c1after?.result], ['acknowledged', 'done'], 'command 1 is acknowledged with its outcome');
  t.equal((await commands.get('SD-0004', 2))?.deliveries, 2, 'command 2 was delivered twice');
});

onBothEngines(t, 'with several commit lanes each device always commits through the same one, and devices checking in at once are all acknowledged', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const port = await UdpDatagramPort.open({ port: 0 });
  const lanes = [groupCommitLane(checkInCommit(db)), groupCommitLane(checkInCommit(db)), groupCommitLane(checkInCommit(db))];
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom, lanes });
  const ids = Array.from({ length: 8 }, (_, i) => `LN-${i}`);
  const keys = new Map<string, Uint8Array>();
  for (const id of ids) keys.set(id, (await registry.add(id, 'key-depot', {}, by)).key);
  const probes = await Promise.all(ids.map(() => TelegramProbe.open(port.address)));
  t.teardown(async () => {
    for (const p of probes) p.close();
    await intake.close();
  });
  const used = new Set<number>();
  for (const id of ids) {
    const before = lanes.map((l) => l.stats.items);
    for (let counter = 1; counter <= 3; counter++) t.equal((await probes[0].checkIn(id, keys.get(id)!, counter, {}))?.type, 'ack', `${id} #${counter} acknowledged`);
    const grew = lanes.map((l, i) => l.stats.items - before[i]);
    t.same(grew.filter((n) => n > 0), [3], `all three check-ins of ${id} went through one lane`);
    used.add(grew.findIndex((n) => n > 0));
  }
  t.ok(used.size > 1, `the devices are spread over the lanes (${used.size} of 3 used)`);
  const answers = await Promise.all(ids.map((id, i) => probes[i].checkIn(id, keys.get(id)!, 4, { events: [{ seq: 1, time: Math.floor(Date.now() / 1000), type: 'door-open' }] })));
  t.same(answers.map((a) => a?.type), ids.map(() => 'ack'), 'eight devices at once, side by side in the lanes: every one acknowledged');
  t.equal((await new EventLog(db).list({ type: 'door-open' })).length, 8, 'and every event stored once');
});

onBothEngines(t, 'a resync keeps the cached keys, and a key that fails its tag after one is read again at once (rekeyed by another process)', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const lookups: string[] = [];
  const counted = Object.assign(Object.create(registry) as DeviceRegistry, {
    key: (id: string) => {
      lookups.push(id);
      return registry.key(id);
    },
  });
  const bus = new MemoryEventBus();
  const port = await UdpDatagramPort.open({ port: 0 });
  const intake = new CheckInIntake({ db, registry: counted, port, clock: new RealClock(), random: cryptoRandom, bus });
  const probe = await TelegramProbe.open(port.address);
  t.teardown(async () => {
    probe.close();
    await intake.close();
  });
  const { key } = await registry.add('SD-RS1', 'key-depot', {}, by);
  t.equal((await probe.checkIn('SD-RS1', key, 1, {}))?.type, 'ack', 'the first check-in reads the key');
  t.same(lookups, ['SD-RS1'], 'one lookup');
  await bus.publish({ topic: 'resync' });
  t.equal((await probe.checkIn('SD-RS1', key, 2, {}))?.type, 'ack', 'after a resync the device is answered');
  t.same(lookups, ['SD-RS1'], 'from the cached key: a resync (on SQLite: any commit of another connection) costs no lookup');
  // Another process rekeys the device; no device message reaches this one.
  const other = await DeviceRegistry.open(await f.open(), MasterKey.load(f.stateDir, {}));
  const fresh = (await other.rekey('SD-RS1', by)).key;
  await bus.publish({ topic: 'resync' });
  t.equal((await probe.checkIn('SD-RS1', fresh, 3, {}))?.type, 'ack', 'the new key is answered at once, not after the refresh interval of a second');
  t.same(lookups, ['SD-RS1', 'SD-RS1'], 'after one more lookup');
});

onBothEngines(t, 'flushRejects() resolves only when the rejects its timer began writing are committed too', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const port = await UdpDatagramPort.open({ port: 0 });
  const clock = new VirtualClock();
  const intake = new CheckInIntake({ db, registry, port, clock, random: cryptoRandom });
  const probe = await TelegramProbe.open(port.address);
  t.teardown(async () => {
    probe.close();
    await intake.close();
  });
  t.equal(await probe.exchange(Buffer.from('garbage'), 100), undefined, 'garbage: no answer');
  t.equal(intake.stats.rejects.malformed, 1, 'counted in memory');
  // The flush timer fires and begins its write; a flush asked for right then finds nothing new to write, and must still wait for that one.
  clock.advance(REJECT_FLUSH_MS);
  await intake.flushRejects();
  t.same((await new RejectCounters(db).list()).map((c) => [c.deviceId, c.reason, c.count]), [['', 'malformed', 1]], 'the reject is in the database once flushRejects() resolved');
});

onBothEngines(t, 'rejects written after the device checked in fine again leave no active "rejected telegrams" event; a malformed one arms the clear too', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const port = await UdpDatagramPort.open({ port: 0 });
  const clock = new VirtualClock(Date.now());
  const intake = new CheckInIntake({ db, registry, port, clock, random: cryptoRandom });
  const probe = await TelegramProbe.open(port.address);
  t.teardown(async () => {
    probe.close();
    await intake.close();
  });
  const { key } = await registry.add('SD-RJ1', 'key-depot', {}, by);
  const events = new EventLog(db);
  const lives = async () => (await events.list({ deviceId: 'SD-RJ1', type: 'rejected-telegrams' })).map((e) => e.life).sort();
  const now = () => Math.floor(clock.now() / 1000);
  t.equal((await probe.checkIn('SD-RJ1', key, 1, {}, now()))?.type, 'ack', 'the device checks in (its key is cached)');
  t.equal(await probe.checkIn('SD-RJ1', randomBytes(32), 2, {}, now(), 200), undefined, 'a wrong key: no answer');
  t.equal((await probe.checkIn('SD-RJ1', key, 3, {}, now()))?.type, 'ack', 'the right key again, before the rejects are written');
  clock.advance(REJECT_FLUSH_MS);
  await intake.flushRejects();
  t.same(await lives(), ['cleared'], 'the event the late write raised is cleared at once: the device is not being refused');

  // A header-level reject (too long to be a telegram) of a device this process knows, written before its next check-in.
  const good = encodeTelegram({ type: 'check-in', deviceId: 'SD-RJ1', counter: 4, time: now(), body: {} }, key, randomBytes(12));
  const long = Buffer.concat([good, Buffer.alloc(1201 - good.length)]);
  t.equal(await probe.exchange(long, 200), undefined, 'an oversized datagram: no answer');
  await intake.flushRejects();
  t.same(await lives(), ['active', 'cleared'], 'counted under the id its header names, with an active event');
  t.equal((await probe.checkIn('SD-RJ1', key, 5, {}, now()))?.type, 'ack', 'its next check-in is acknowledged');
  t.same(await lives(), ['cleared', 'cleared'], 'and clears it');
});
