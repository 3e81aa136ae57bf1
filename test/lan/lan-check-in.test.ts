import t from 'tap';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import { errorEvent } from '../../firmware-sim/lan-check-in.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { MemoryStateStore } from '../../firmware-sim/state-store.js';
import { FailingLog, logLines } from '../support/firmware-fixtures.js';
import { LanRig } from '../support/lan-rig.js';
import { TEST_HASH_COST } from '../support/pbx-harness.js';

const raise = (rig: LanRig, cls: 'A' | 'B' | 'C', code: number, text: string) => rig.pbx.errors.add({ time: rig.made.clock.now(), cls, code, location: 'S1/P3', text, pseudo: false });

t.test('a technician turns the LAN option on; the PBX checks in every minute', async (t) => {
  const rig = new LanRig();
  rig.startLan();
  rig.run(5 * 60_000);
  t.equal(rig.centre.stats.checkIns, 0, 'off by default: nothing sent');
  t.equal(rig.lan.idle, 'disabled', 'and it says why');
  t.same(rig.configure(), ['OK', 'OK', 'OK'], 'centre, key (twice) and on, each OK');
  rig.run(10);
  const dev = rig.centre.device('HSIM-0001');
  t.equal(dev.checkIns, 1, 'checks in as soon as it is on');
  t.same(dev.lastStatus, { kind: 'pbx', type: 'OfficePro', aps: 'HE300M.00.001.01', interval: 60 }, 'status');
  rig.run(10 * 60_000);
  t.equal(dev.checkIns, 11, 'then every minute (lan.interval default 1)');
  t.ok(rig.lan.online, 'online');
});

t.test('class-B errors go as events and leave the Error History only when the ack lists them', async (t) => {
  const rig = new LanRig();
  rig.configure();
  rig.startLan();
  rig.run(10);
  raise(rig, 'B', 0x1234, 'fan failure');
  raise(rig, 'A', 0x0001, 'display alarm');
  raise(rig, 'C', 0x0002, 'informational');
  rig.centre.answering = false;
  rig.run(5 * 60_000);
  t.equal(rig.pbx.errors.list('B').length, 1, 'no answer: the class-B error stays');
  rig.centre.answering = true;
  const logBefore = logLines(rig.made.log).length;
  rig.run(60_000);
  const events = rig.centre.device('HSIM-0001').events;
  t.same(events.map((e) => [e.type, e.class, e.code, e.text, e.location]), [['error', 'B', 0x1234, 'fan failure', 'S1/P3']], 'only the class-B error travelled');
  t.same(rig.pbx.errors.list('B'), [], 'deleted after the ack');
  t.same(rig.pbx.errors.list().map((e) => e.cls).sort(), ['A', 'C'], 'classes A and C stay');
  t.same(logLines(rig.made.log).slice(logBefore), ['centre - (6) B1-1 LAN 1 error', 'centre - (6) B1-2 LAN 1 error'], 'the centre reading and deleting the error memory is logged (seed B1-1, B1-2)');
});

t.test('a deletion that cannot be logged does not happen', async (t) => {
  const log = new FailingLog();
  const rig = new LanRig({ log });
  rig.configure();
  rig.startLan();
  rig.run(10);
  raise(rig, 'B', 7, 'x');
  log.failing = true;
  rig.run(60_000);
  t.equal(rig.pbx.errors.list('B').length, 1, 'the error is still in the Error History');
  t.equal(rig.centre.device('HSIM-0001').events.length, 1, 'though the centre has it');
  log.failing = false;
  rig.run(60_000);
  t.equal(rig.pbx.errors.list('B').length, 0, 'once logging works again the next ack deletes it');
  t.equal(rig.centre.device('HSIM-0001').events.length, 1, 'the centre stored it once');
});

t.test('the function-test pseudo error and the centre\'s commands', async (t) => {
  const rig = new LanRig();
  rig.configure();
  rig.startLan();
  rig.run(10);
  const test = rig.centre.queueCommand('HSIM-0001', { type: 'test' });
  const interval = rig.centre.queueCommand('HSIM-0001', { type: 'interval', seconds: 300 });
  const release = rig.centre.queueCommand('HSIM-0001', { type: 'release', compartment: 1 });
  const logBefore = logLines(rig.made.log).length;
  rig.run(60_000);
  const dev = rig.centre.device('HSIM-0001');
  const ft = dev.events.find((e) => e.type === 'function-test');
  t.ok(ft, 'the test raised the function-test pseudo error, sent at once');
  t.equal(ft?.code, PSEUDO_ERROR_CODE, 'code FFF0');
  const outcomes = Object.fromEntries(dev.events.filter((e) => e.type === 'command').map((e) => [e.command, e.result]));
  t.same(outcomes, { [test]: 'done', [interval]: 'done', [release]: 'unsupported' }, 'each command answered');
  t.equal(rig.pbx.kds.get('lan.interval'), '5', 'the interval is 5 minutes now');
  t.ok(logLines(rig.made.log).slice(logBefore).includes('centre S (1) LAN-INT "5"'), 'the centre\'s change is in the protocol log');
  t.same(dev.pending, [], 'nothing left for the centre to ask');
  const before = dev.checkIns;
  rig.run(30 * 60_000);
  t.equal(dev.checkIns - before, 6, 'six check-ins in 30 minutes');
});

t.test('the key is never shown: not by kds show, not in the log, the image or the state', async (t) => {
  const rig = new LanRig();
  const b64 = Buffer.from(rig.key).toString('base64');
  rig.configure();
  t.match(rig.serv.cmd('lan show').text, /lan\.key = <set>/, 'lan show says <set>');
  t.notOk(rig.serv.cmd('kds show lan').text.includes(b64), 'kds show does not show it');
  t.match(rig.serv.cmd('set lan.key x').status, /^ERROR 400 lan\.key is a secret/, 'set refuses it');
  t.ok(logLines(rig.made.log).includes('serv S (1) LAN-KEY *****'), 'logged as *****');
  t.notOk(logLines(rig.made.log).join('\n').includes(b64.slice(0, 12)), 'no part of it in the log');
  t.notOk(JSON.stringify(rig.pbx.readImage()).includes(b64), 'the KDS image carries it sealed only');
  t.notOk(JSON.stringify(rig.pbx.snapshot()).includes(b64), 'the state carries it sealed only');
  t.equal(rig.pbx.openSecret('lan.key'), b64, 'the PBX itself can open it');
  const other = new Pbx({ clock: rig.made.clock, log: new MemoryProtocolLog(), systemId: 'HSIM-0002', type: PbxType.OfficePro, hashCost: TEST_HASH_COST });
  other.kds.setStored('lan.key', rig.pbx.kds.get('lan.key')!);
  t.equal(other.openSecret('lan.key'), undefined, 'the sealed value opens nothing in another PBX');
  rig.serv.cmd('lan key');
  rig.serv.cmd('not-base64');
  t.match(rig.serv.cmd('not-base64').status, /^ERROR 422 lan\.key: 32 bytes in base64/, 'a malformed key is refused');
  t.match(rig.serv.cmd('set lan.centre nowhere').status, /^ERROR 422 lan\.centre: HOST:PORT/, 'a malformed centre address is refused');
});

t.test('a wrong key: the centre answers nothing and counts it; counters survive a restart', async (t) => {
  const store = new MemoryStateStore();
  const rig = new LanRig({ store });
  rig.configure(Buffer.alloc(32, 9).toString('base64'));
  rig.startLan();
  rig.run(3 * 60_000 + 100);
  t.equal(rig.centre.stats.rejects.get('bad-tag HSIM-0001'), 4, 'every check-in rejected as a bad tag');
  t.notOk(rig.lan.online, 'offline from the PBX\'s side');
  rig.configure();
  rig.run(2 * 60_000);
  t.ok(rig.lan.online, 'the right key: online');
  const counters = [...rig.centre.device('HSIM-0001').counters];
  // Restart: a new Pbx object from the same state, a new LAN option on it.
  const again = new Pbx({ clock: rig.made.clock, log: rig.made.log, store, systemId: 'HSIM-0001', type: PbxType.OfficePro, hashCost: TEST_HASH_COST });
  again.start();
  rig.startLan(again);
  rig.run(3 * 60_000);
  const after = rig.centre.device('HSIM-0001').counters.slice(counters.length);
  t.ok(after.length >= 3 && after[0] > counters[counters.length - 1], 'after the restart the counters go on above the old ones');
  t.equal(rig.centre.stats.naks.replay, 0, 'no counter reused');
});

t.test('an error event carries whole numbers, whatever the resolution of the PBX clock', async (t) => {
  // The fleet's clock has sub-millisecond now(); a centre may read errorTime as an integer.
  const e = errorEvent({ id: 3, time: 1_767_600_000_123.75, cls: 'B', code: 0x0100, location: 'fleet', text: 'fan', pseudo: false });
  t.equal(e.errorTime, 1_767_600_000_123, 'errorTime in whole milliseconds');
  t.equal(e.time, 1_767_600_000, 'time in whole seconds');
});
