import t from 'tap';
import { DEPOT_ID, DepotRig, pinHash } from '../support/depot-rig.js';

function sentCounters(rig: DepotRig): number[] {
  return rig.reports.flatMap((r) => (r.type === 'sent' ? [r.counter] : []));
}

t.test('offline: PINs still work, the queue grows, and everything arrives once, in order, when the centre answers again', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Meier', hash: pinHash('4711') });
  rig.run(60_100);
  t.equal(rig.depot.users.length, 1, 'PIN known before the outage');
  rig.centre.answering = false;
  const expected: string[] = [];
  for (let i = 0; i < 40; i++) {
    rig.run(45_000);
    rig.pin('4711');
    const c = 1 + (i % 4);
    rig.cabinet.take(c);
    rig.cabinet.putBack(c);
    expected.push(`key-taken:${c}:Meier`, `key-returned:${c}:Meier`);
  }
  t.equal(rig.depot.pendingEvents().length, 80, 'all 80 movements queued in flash');
  t.notOk(rig.depot.online, 'the depot knows it is offline');
  rig.run(30_000);
  t.match(rig.depot.display()[1], / offline 80 *$/, `the display says offline and how much is queued (${rig.depot.display()[1]})`);
  const outageCheckIns = rig.centre.stats.unanswered;
  t.ok(outageCheckIns >= 29, `it kept checking in every minute (${outageCheckIns} unanswered)`);
  rig.centre.answering = true;
  const back = rig.clock.now();
  rig.run(60_000);
  const dev = rig.centre.device(DEPOT_ID);
  const moves = rig.centreEvents().filter((e) => e.startsWith('key-'));
  t.same(moves, expected, 'every movement arrived, in order');
  const seqs = dev.events.map((e) => e.seq);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'seqs rising');
  t.equal(new Set(seqs).size, seqs.length, 'none twice');
  t.equal(rig.depot.pendingEvents().length, 0, 'the queue is empty');
  const counters = sentCounters(rig);
  t.equal(new Set(counters).size, counters.length, 'a new counter for every check-in, resends included');
  t.same(counters, [...counters].sort((a, b) => a - b), 'counters only rise');
  t.equal(rig.centre.stats.naks.replay, 0, 'no replay nak');
  const catchUp = rig.reports.filter((r) => r.type === 'sent' && r.reason === 'catch-up').length;
  t.ok(catchUp >= 2, `80 events did not fit one telegram: ${catchUp} catch-up check-ins right after the first ack`);
  const lastAck = Math.max(...dev.events.map((e) => e.seq));
  t.equal(lastAck, seqs[seqs.length - 1], 'the last event is in');
  t.ok(rig.clock.now() - back <= 60_000, 'caught up within one interval');
});

t.test('a lost ack makes the depot resend the same events (same seqs) under a new counter; the centre stores them once', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  let dropAcks = 2;
  rig.net.drop = (data, from) => from.port === 4711 && dropAcks-- > 0;
  rig.cabinet.setDoor(true);
  rig.run(3 * 60_000);
  const dev = rig.centre.device(DEPOT_ID);
  t.same(rig.centreEvents(), ['startup', 'door-open'], 'stored once');
  t.equal(dev.resent, 2, 'the event came twice more, under its own seq');
  t.equal(rig.depot.pendingEvents().length, 0, 'deleted once an ack got through');
  const counters = sentCounters(rig);
  t.equal(new Set(counters).size, counters.length, 'each resend had a new counter');
});

t.test('clock skew: the depot resyncs from the nak and resends at once; the offset survives a reboot', async (t) => {
  const rig = new DepotRig();
  rig.centre.clockOffsetMs = 10 * 60_000;
  rig.boot();
  rig.run(100);
  t.equal(rig.centre.stats.naks['clock-skew'], 1, 'the first check-in was 10 minutes off');
  t.same(rig.centreEvents(), ['startup'], 'the resend got through at once');
  const ev = rig.centre.device(DEPOT_ID).events[0];
  t.ok(Math.abs(ev.time - rig.centre.nowS()) <= 600 + 1, 'the startup event has its original (pre-resync) time');
  rig.cabinet.tamper();
  rig.run(60_000);
  const tamper = rig.centre.device(DEPOT_ID).events.find((e) => e.type === 'tamper')!;
  t.ok(Math.abs(tamper.time - (rig.centre.nowS() - 60)) <= 1, 'events after the resync carry centre time');
  rig.boot();
  rig.run(100);
  t.equal(rig.centre.stats.naks['clock-skew'], 1, 'no new skew nak after a reboot: the offset is in flash');
});

t.test('counters are never reused across many reboots', async (t) => {
  const rig = new DepotRig();
  for (let i = 0; i < 20; i++) {
    rig.boot();
    rig.run(60_000 * (i % 3) + 100);
  }
  const counters = sentCounters(rig);
  t.equal(new Set(counters).size, counters.length, `${counters.length} check-ins, every counter different`);
  t.equal(rig.centre.stats.naks.replay, 0, 'the centre never saw a replay');
  t.equal(rig.centreEvents().filter((e) => e === 'startup').length, 20, 'every boot reported');
});

t.test('when the flash queue is full, new events are dropped and their number is reported once the queue drains', async (t) => {
  const rig = new DepotRig({ small: true });
  rig.boot();
  rig.run(100);
  rig.centre.answering = false;
  for (let i = 0; i < 200; i++) {
    rig.cabinet.setDoor(i % 2 === 0);
    rig.run(1000);
  }
  const queued = rig.depot.pendingEvents().length;
  t.ok(queued < 200 && queued > 20, `the small queue filled up at ${queued} events`);
  rig.centre.answering = true;
  rig.run(2 * 60_000);
  const dev = rig.centre.device(DEPOT_ID);
  const overflow = dev.events.find((e) => e.type === 'queue-overflow');
  t.ok(overflow, 'a queue-overflow event arrived');
  t.equal(overflow?.lost, 200 - queued, 'it counts exactly the events that did not fit');
  t.equal(rig.depot.pendingEvents().length, 0, 'everything else arrived');
  t.equal(rig.depot.lifecycle, 'running', 'the depot kept running');
});
