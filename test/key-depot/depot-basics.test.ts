import t from 'tap';
import { CheckInState } from '../../firmware-sim/check-in-client.js';
import { RELEASE_MS, UNLOCK_MS } from '../../firmware-sim/key-depot/key-depot.js';
import { DEPOT_ID, DepotRig, pinHash } from '../support/depot-rig.js';

t.test('a depot checks in at power-on and then once a minute', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  t.same(rig.centreEvents(), ['startup'], 'the startup event arrives with the first check-in');
  t.same(rig.centre.device(DEPOT_ID).lastStatus, { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 1, mains: true, interval: 60 }, 'status as documented (queue still counts the event being sent)');
  t.equal(rig.depot.pendingEvents().length, 0, 'the acked startup event left the queue');
  rig.run(10 * 60_000);
  t.equal(rig.centre.device(DEPOT_ID).checkIns, 11, 'one check-in at power-on and one every minute for ten minutes');
  t.equal(rig.depot.checkInState, CheckInState.Waiting, 'waiting for the next interval');
  t.ok(rig.depot.online, 'online');
  t.equal(rig.centre.stats.naks.replay + rig.centre.stats.naks['clock-skew'], 0, 'never a nak');
  t.match(rig.depot.display()[1], /^08:1\d online {2,}$/, `idle display shows time and online (${rig.depot.display()[1]})`);
});

t.test('a PIN from the centre opens its compartment; taking and returning the key are events with the holder', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Meier', hash: pinHash('4711'), compartments: [2] });
  rig.run(60_000);
  t.same(rig.depot.users.map((u) => u.name), ['Meier'], 'the PIN arrived with the next ack');
  t.notOk(JSON.stringify(rig.depot.users).includes('4711'), 'the depot keeps only the hash');
  rig.pin('4711');
  t.same(rig.depot.openCompartments(), [2], 'only compartment 2 opens');
  t.same(rig.depot.display(), ['Open 2          ', 'Meier           '], 'the display says what is open and for whom');
  t.equal(rig.cabinet.take(3), 'locked', 'compartment 3 stays locked');
  t.equal(rig.cabinet.take(2), undefined, 'the key of 2 is taken');
  rig.run(1000);
  t.equal(rig.cabinet.putBack(2), undefined, 'and put back');
  rig.run(60_000);
  t.same(rig.centreEvents().slice(-3), ['command', 'key-taken:2:Meier', 'key-returned:2:Meier'], 'both movements arrive with the holder');
  rig.run(UNLOCK_MS);
  t.same(rig.depot.openCompartments(), [], 'relocked after the unlock window');
  t.equal(rig.cabinet.take(2), 'locked', 'locked again');
});

t.test('wrong PINs are events, and five in a row block the keypad for five minutes', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Meier', hash: pinHash('4711') });
  rig.run(100);
  rig.run(60_000);
  rig.pin('1234');
  t.same(rig.depot.display(), ['Wrong PIN       ', '1 of 5          '], 'wrong PIN shown');
  for (let i = 0; i < 4; i++) rig.pin('9999');
  t.match(rig.depot.display()[0], /^Keypad blocked/, 'blocked after the fifth');
  rig.pin('4711');
  t.same(rig.depot.openCompartments(), [], 'even the right PIN does nothing while blocked');
  rig.run(5 * 60_000);
  rig.pin('4711');
  t.same(rig.depot.openCompartments(), [1, 2, 3, 4], 'after five minutes the right PIN opens every compartment (no list = all)');
  rig.run(60_000);
  const wrong = rig.centre.device(DEPOT_ID).events.filter((e) => e.type === 'wrong-pin').map((e) => e.attempts);
  t.same(wrong, [1, 2, 3, 4, 5], 'each wrong PIN reported with the attempts in a row');
});

t.test('keypad editing: * takes back a digit, an abandoned entry times out', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'A', hash: pinHash('2468') });
  rig.run(60_100);
  for (const k of ['2', '4', '6', '9', '*', '8'] as const) rig.depot.press(k);
  t.same(rig.depot.display(), ['PIN ****        ', '#=OK *=back     '], 'four digits shown as stars');
  rig.depot.press('#');
  t.same(rig.depot.openCompartments(), [1, 2, 3, 4], '2468 after the correction');
  rig.depot.press('1');
  rig.run(20_000);
  t.notMatch(rig.depot.display()[0], /^PIN/, 'an entry left alone for 20 s is dropped');
});

t.test('door, tamper and mains are reported', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  rig.cabinet.setDoor(true);
  rig.cabinet.setDoor(false);
  rig.cabinet.tamper();
  rig.cabinet.setMains(false);
  rig.run(1000);
  rig.cabinet.setMains(true);
  rig.run(60_000);
  t.same(rig.centreEvents(), ['startup', 'door-open', 'door-close', 'tamper', 'power-loss', 'power-return'], 'in the order they happened');
});

t.test('commands: remote release, interval, test, pin-remove, unknown and bad ones', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  const release = rig.centre.queueCommand(DEPOT_ID, { type: 'release', compartment: 3 });
  const interval = rig.centre.queueCommand(DEPOT_ID, { type: 'interval', seconds: 20 });
  const test = rig.centre.queueCommand(DEPOT_ID, { type: 'test' });
  const unknown = rig.centre.queueCommand(DEPOT_ID, { type: 'self-destruct' });
  const bad = rig.centre.queueCommand(DEPOT_ID, { type: 'release', compartment: 9 });
  const add = rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'X', hash: pinHash('1111') });
  const remove = rig.centre.queueCommand(DEPOT_ID, { type: 'pin-remove', user: 'X' });
  const badHash = rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Y', hash: 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  rig.run(60_000);
  t.same(rig.depot.openCompartments(), [3], 'compartment 3 released');
  t.equal(rig.cabinet.take(3), undefined, 'its key can be taken');
  t.equal(rig.depot.intervalS, 20, 'interval now 20 s');
  t.same(rig.depot.users, [], 'X added and removed again');
  rig.run(1000);
  const dev = rig.centre.device(DEPOT_ID);
  const results = Object.fromEntries(dev.events.filter((e) => e.type === 'command').map((e) => [e.command, e.result]));
  t.same(results, { [release]: 'done', [interval]: 'done', [test]: 'done', [unknown]: 'unsupported', [bad]: 'refused', [add]: 'done', [remove]: 'done', [badHash]: 'refused' }, 'every command answered with its outcome');
  t.same(dev.pending, [], 'the centre has nothing left to send');
  t.ok(dev.events.some((e) => e.type === 'test' && e.result === 'ok' && e.command === test), 'the self test reported ok');
  const before = dev.checkIns;
  rig.run(60_000);
  t.equal(dev.checkIns - before, 3, 'three check-ins a minute at the new interval');
  t.ok(rig.centreEvents().includes('key-taken:3:remote'), 'a key taken after a remote release has holder "remote"');
  rig.run(RELEASE_MS);
  t.same(rig.depot.openCompartments(), [], 'the release ended');
});

t.test('a command the centre sends again is not run again; its outcome is reported again', async (t) => {
  const rig = new DepotRig();
  rig.boot();
  rig.run(100);
  const add = rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'X', hash: pinHash('1111') });
  rig.run(60_000);
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-remove', user: 'X' });
  rig.run(60_000);
  t.same(rig.depot.users, [], 'X removed');
  // As if the centre had lost the outcome of the pin-add: it sends it again under its old id.
  const dev = rig.centre.device(DEPOT_ID);
  dev.pending.push({ id: add, type: 'pin-add', user: 'X', hash: pinHash('1111') });
  rig.run(60_000);
  t.same(rig.depot.users, [], 'the old pin-add did not run a second time');
  const reports = dev.events.filter((e) => e.type === 'command' && e.command === add);
  t.equal(reports.length, 2, 'its outcome was reported again (a new event)');
  t.equal(reports[1].result, 'done', 'with the stored outcome');
  t.same(dev.pending, [], 'and the centre stopped asking');
});
