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
// close() must still wait for every one of them to be committed and answered, however many and in whatever order.
onEngine(t, 'close() waits for every check-in still in a lane, answers each one, and only then closes the lanes', 'sqlite', async (t, f) => {
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
  const probes = await Promise.all(ids.map(() => TelegramProbe.open(port.address)));
  t.teardown(() => probes.forEach((p) => p.close()));
  const answers = ids.map((id, i) => probes[i].checkIn(id, keys[i], 1, {}, undefined, 500));
  while (held.length < ids.length) await new Promise((r) => setTimeout(r, 5));
  let closed = false;
  const closing = intake.close().then(() => (closed = true));
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
  // close() closed the socket first (it takes no more datagrams), so these acks were dropped as on the wire; what
  // matters is that each was committed before it was answered and nothing was left half-done.
  await Promise.all(answers);
  await db.close();
});
