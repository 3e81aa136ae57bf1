import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { MemoryDatagramNetwork } from '../../src/adapters/memory-datagram-network.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { formatFleetSummary } from '../../src/fleet/fleet-stats.js';
import type { DeviceKey } from '../../src/storage/device-keys-file.js';
import { CheckInResponder } from '../support/check-in-responder.js';

const CENTRE = { host: '10.9.0.1', port: 4000 };

function fleetOf(n: number, options: { activityPerHour?: number; known?: number } = {}): { fleet: Fleet; clock: VirtualClock; centre: CheckInResponder; devices: DeviceKey[] } {
  const clock = new VirtualClock();
  const net = new MemoryDatagramNetwork(clock, { latencyMs: 1 });
  const centre = new CheckInResponder({ clock, random: new SeededRandom(1) });
  centre.attach(net.bind(CENTRE.host, CENTRE.port));
  const keys = new SeededRandom(2);
  const devices: DeviceKey[] = Array.from({ length: n }, (_, i) => ({ id: `F-${i}`, kind: i % 2 ? 'pbx' : 'key-depot', key: keys.bytes(32) }));
  devices.slice(0, options.known ?? n).forEach((d) => centre.addDevice(d.id, d.key));
  const uniform = new SeededRandom(3);
  const fleet = new Fleet({ devices, centre: CENTRE, sockets: [net.bind(), net.bind(), net.bind()], clock, speed: 1, random: new SeededRandom(4), activityPerHour: options.activityPerHour ?? 0, uniform: () => uniform.next() });
  return { fleet, clock, centre, devices };
}

t.test('a fleet of depots and PBXs checks in once a minute each, spread over the minute', async (t) => {
  const { fleet, clock, centre } = fleetOf(40);
  fleet.start();
  t.equal(fleet.depots, 20, '20 key depots');
  t.equal(fleet.pbxs, 20, '20 PBXs');
  clock.advance(30_000);
  const early = centre.stats.checkIns;
  t.ok(early > 5 && early < 35, `devices start spread over the first minute (${early} after 30 s)`);
  clock.advance(10 * 60_000);
  fleet.stop();
  for (const [id, d] of centre.devices) t.ok(d.checkIns >= 10 && d.checkIns <= 12, `${id}: ${d.checkIns} check-ins in 10.5 minutes`);
  const s = fleet.stats.summary({ devices: 40, depots: 20, pbxs: 20, centre: '10.9.0.1:4000', speed: 1, durationS: 630 });
  t.equal(s.acks, centre.stats.acks, 'every ack the centre sent was counted');
  t.equal(s.sent, centre.stats.checkIns, 'and every check-in');
  t.same([s.naks.replay, s.naks['clock-skew'], s.timeouts, s.faults], [0, 0, 0, 0], 'no nak, timeout or fault');
  t.equal(s.latencyMs.n, s.acks, 'a latency per answer');
  t.equal(s.latencyMs.p50, 2, 'p50 is the network round trip (2 virtual ms)');
  t.equal(fleet.strays, 0, 'every answer found its device');
  const kinds = new Set([...centre.devices.values()].map((d) => d.lastStatus?.kind));
  t.same([...kinds].sort(), ['key-depot', 'pbx'], 'both kinds reported their status');
  clock.advance(5 * 60_000);
  t.equal(centre.stats.checkIns, s.sent, 'nothing is sent after stop');
});

t.test('activity: door events and class-B errors travel and are accepted', async (t) => {
  const { fleet, clock, centre } = fleetOf(10, { activityPerHour: 60 });
  fleet.start();
  clock.advance(30 * 60_000);
  fleet.stop();
  const events = [...centre.devices.values()].flatMap((d) => d.events.map((e) => e.type));
  const doors = events.filter((e) => e === 'door-open' || e === 'door-close').length;
  const errors = events.filter((e) => e === 'error').length;
  t.ok(doors > 50 && doors < 250, `about 5 depots × 30 door events (${doors})`);
  t.ok(errors > 50 && errors < 250, `about 5 PBXs × 30 errors (${errors})`);
  t.equal(fleet.stats.eventsAccepted, events.length, 'every stored event was counted as accepted');
  t.match(formatFleetSummary(fleet.stats.summary({ devices: 10, depots: 5, pbxs: 5, centre: 'c:1', speed: 1, durationS: 1800 })).join('\n'), /^fleet: 10 devices \(5 key depots, 5 PBXs\)[\s\S]*\nevents accepted \d+$/, 'the human summary');
});

t.test('devices the centre does not know: silence, counted as timeouts', async (t) => {
  const { fleet, clock, centre } = fleetOf(6, { known: 3 });
  fleet.start();
  clock.advance(5 * 60_000);
  fleet.stop();
  const s = fleet.stats.summary({ devices: 6, depots: 3, pbxs: 3, centre: 'c:1', speed: 1, durationS: 300 });
  t.ok(s.timeouts >= 12, `the unknown three time out every minute (${s.timeouts})`);
  t.ok([...centre.stats.rejects.keys()].every((k) => k.startsWith('unknown-device F-')), 'the centre counted them as unknown devices');
});
