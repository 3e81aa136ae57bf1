import t from 'tap';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { CheckInIntake, type IntakeOutcome } from '../../src/centre/check-in-intake.js';
import { checkInCommit, type CheckInLane } from '../../src/centre/check-in-lane.js';
import type { CheckInArrival, CheckInOutcome } from '../../src/centre/check-in-store.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onEngine } from '../support/both-engines.js';
import { TelegramProbe } from '../support/telegram-probe.js';

// The intake counts the check-ins it handed to a lane instead of tracking a promise for each (the hot path);
// close() must still wait for every one of them to be committed and answered, however many and in whatever order,
// and the answers must reach the devices: the socket closes after them, not before.
onEngine(t, 'close() stops taking datagrams, waits for every check-in still in a lane, sends each its ack, and only then closes the socket and the lanes', 'sqlite', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const port = await UdpDatagramPort.open({ port: 0 });
  const real = checkInCommit(db);
  const held: Array<() => void> = [];
  let laneClosed = false;
  /** A lane that commits for real but settles only when the test lets it. */
  const lane: CheckInLane = {
    store: (a: CheckInArrival) => new Promise<CheckInOutcome>((resolve, reject) => held.push(() => real.add(a).then(resolve, reject))),
    flush: () => real.flush(),
    close: async () => {
      laneClosed = true;
    },
  };
  const outcomes: IntakeOutcome[] = [];
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom, lanes: [lane], onOutcome: (o) => outcomes.push(o) });
  const ids = ['CL-1', 'CL-2', 'CL-3'];
  const keys = await Promise.all(ids.map(async (id) => (await registry.add(id, 'key-depot', {}, { actor: 'test' })).key));
  // One probe per device: a probe waits for one answer at a time.
  const probes = await Promise.all([...ids, 'late'].map(() => TelegramProbe.open(port.address)));
  t.teardown(() => probes.forEach((p) => p.close()));
  const answers = ids.map((id, i) => probes[i].checkIn(id, keys[i], 1, {}, undefined, 5000));
  while (held.length < ids.length) await new Promise((r) => setTimeout(r, 5));
  let closed = false;
  const closing = intake.close().then(() => (closed = true));
  // Sent after close() began: not taken (nothing is stored for it, no answer), though the socket is still open.
  const late = probes[ids.length].checkIn('CL-1', keys[0], 2, {}, undefined, 300);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(closed, false, 'close() does not resolve while check-ins are still in the lane');
  t.equal(laneClosed, false, 'nor closes the lane under them');
  held[1]();
  held[2]();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(closed, false, 'two of three settled: close() still waits for the last');
  held[0]();
  await closing;
  t.same(outcomes.filter((o) => o.type === 'ack').map((o) => o.deviceId).sort(), ids, 'every check-in in flight was answered with an ack before close() resolved');
  t.equal(laneClosed, true, 'and the lane was closed after them');
  const got = await Promise.all(answers);
  t.same(got.map((a) => a && [a.type, a.deviceId, a.counter]), ids.map((id) => ['ack', id, 1]), 'and each device received its ack: the socket was closed after the answers, not before');
  t.equal(await late, undefined, 'a check-in that arrived after close() began got no answer');
  t.equal(held.length, ids.length, 'and was not handed to the lane');
  t.notOk(outcomes.some((o) => o.type !== 'reject' && o.counter === 2), 'nor answered or stored');
  await db.close();
});
