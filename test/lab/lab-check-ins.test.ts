import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { validateConfig } from '../../src/lab/config.js';
import { Lab } from '../../src/lab/lab.js';
import type { LabEvent } from '../../src/lab/lab-events.js';
import { CheckInResponder } from '../support/check-in-responder.js';
import { pinHash } from '../support/depot-rig.js';
import { TEST_HASH_COST } from '../support/pbx-harness.js';

const DEPOT_KEY = new SeededRandom(1).bytes(32);
const PBX_KEY = new SeededRandom(2).bytes(32);
const b64 = (k: Uint8Array): string => Buffer.from(k).toString('base64');

async function start(t: { teardown(fn: () => Promise<void>): void }): Promise<{ lab: Lab; clock: VirtualClock; centre: CheckInResponder; events: LabEvent[] }> {
  const clock = new VirtualClock();
  const config = validateConfig({
    stateDir: '/nonexistent-in-memory',
    pacing: false,
    pbxs: [{ id: 'HSIM-0001', trunks: ['0301234'], lan: { centre: '10.0.0.1:4000', key: b64(PBX_KEY) } }],
    depots: [{ id: 'SD-0001', compartments: 3, centre: '10.0.0.1:4000', key: b64(DEPOT_KEY) }],
  });
  // The lab in memory has its in-process UDP network; the centre is a responder on it.
  const centre = new CheckInResponder({ clock, random: new SeededRandom(3) });
  centre.addDevice('SD-0001', DEPOT_KEY);
  centre.addDevice('HSIM-0001', PBX_KEY);
  const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: TEST_HASH_COST });
  t.teardown(() => lab.close());
  centre.attach(lab.datagrams!.bind('10.0.0.1', 4000));
  const events: LabEvent[] = [];
  lab.events.on((e) => events.push(e));
  return { lab, clock, centre, events };
}

t.test('a lab with a key depot and a LAN PBX: both check in, their events reach the centre', async (t) => {
  const { lab, clock, centre, events } = await start(t);
  clock.advance(60_100);
  t.ok(centre.device('SD-0001').checkIns >= 2, 'the depot checks in');
  t.ok(centre.device('HSIM-0001').checkIns >= 2, 'the PBX checks in over its LAN option');
  t.ok(events.some((e) => e.event === 'checkin.acked' && e.data.device === 'SD-0001'), 'checkin.acked events for the depot');
  centre.queueCommand('SD-0001', { type: 'pin-add', user: 'Meier', hash: pinHash('4711'), compartments: [2] });
  clock.advance(60_000);
  const depot = lab.devices().find((d) => d.id === 'SD-0001')!;
  t.equal(depot.kind, 'key-depot', 'the depot is a lab device');
  depot.press!('4711#');
  t.same(depot.display!(), ['Open 2', 'Meier'], 'its display through the device seam');
  t.equal(lab.depots.get('SD-0001')!.cabinet.take(2), undefined, 'the key is taken');
  lab.pbxs.get('HSIM-0001')!.raise({ cls: 'B', code: 0x1234, location: 'S1', text: 'fan failure' });
  clock.advance(60_000);
  t.ok(centre.device('SD-0001').events.some((e) => e.type === 'key-taken' && e.compartment === 2 && e.holder === 'Meier'), 'the key taken arrived');
  t.ok(centre.device('HSIM-0001').events.some((e) => e.type === 'error' && e.code === 0x1234), 'the class-B error arrived');
  t.same(lab.pbxs.get('HSIM-0001')!.pbx.errors.list('B'), [], 'and was deleted in the PBX');
  t.match(lab.describe().join('\n'), /LAN option: checks in with 10\.0\.0\.1:4000 every 1 min/, 'describe names the LAN option');
  t.match(lab.describe().join('\n'), /key depot SD-0001 \(3 compartments\), checks in with 10\.0\.0\.1:4000 every 60 s/, 'describe names the depot');
  const log = lab.pbxs.get('HSIM-0001')!.pbx.log.read().map((e) => `${e.user} ${e.command}`);
  t.ok(log.includes('lab LAN-CENTRE "10.0.0.1:4000"') && log.includes('lab LAN-KEY *****'), 'the lab wrote the LAN settings into the KDS as logged changes');
});

t.test('centre down: unanswered check-ins are events; power cycles keep the depot queue', async (t) => {
  const { lab, clock, centre, events } = await start(t);
  clock.advance(100);
  centre.answering = false;
  lab.depots.get('SD-0001')!.cabinet.tamper();
  clock.advance(2 * 60_000);
  t.ok(events.some((e) => e.event === 'checkin.unanswered' && e.data.device === 'SD-0001'), 'checkin.unanswered');
  const depot = lab.devices().find((d) => d.id === 'SD-0001')!;
  t.same(await depot.powerCycle!({}), { restarted: true }, 'power-cycled');
  centre.answering = true;
  clock.advance(60_000);
  const types = centre.device('SD-0001').events.map((e) => e.type);
  t.same(types.filter((x) => x === 'tamper').length, 1, 'the tamper queued before the power cycle arrived once');
  t.same(types.filter((x) => x === 'startup').length, 2, 'both startups arrived');
  t.equal(centre.stats.naks.replay, 0, 'no counter reused across the power cycle');
  const pbx = lab.devices().find((d) => d.id === 'HSIM-0001')!;
  await pbx.powerCycle!({});
  clock.advance(60_000);
  t.equal(centre.stats.naks.replay, 0, 'nor across a PBX power cycle');
});

t.test('a depot power-cycled in the middle of a flash write comes back with its queue', async (t) => {
  const { lab, clock, centre } = await start(t);
  clock.advance(100);
  centre.answering = false;
  const cabinet = lab.depots.get('SD-0001')!.cabinet;
  cabinet.tamper();
  const depot = lab.devices().find((d) => d.id === 'SD-0001')!;
  t.same(await depot.powerCycle!({ tornWrite: { afterBytes: 9 } }), { armed: true }, 'armed: the power fails at the next flash write');
  cabinet.setDoor(true);
  await new Promise((r) => setImmediate(r));
  t.equal(lab.depots.get('SD-0001')!.depot.lifecycle, 'running', 'the depot came back up after the torn write');
  centre.answering = true;
  clock.advance(60_000);
  const types = centre.device('SD-0001').events.map((e) => e.type);
  t.equal(types.filter((x) => x === 'tamper').length, 1, 'the tamper queued before the cut arrived, once');
  t.notOk(types.includes('door-open'), 'the door-open whose write was torn never shows (its append did not return)');
  t.equal(types.filter((x) => x === 'startup').length, 2, 'a second startup');
});
