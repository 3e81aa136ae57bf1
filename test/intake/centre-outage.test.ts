import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { CheckInIntake } from '../../src/centre/check-in-intake.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { CENTRE, DEPOT_ID, DepotRig } from '../support/depot-rig.js';

const OUTAGE_MS = 5 * 60_000;

/**
 * Issue 11: the centre stopped for five minutes of virtual time, then
 * started again on the same database: the depot (real firmware, its queue
 * in flash) runs offline meanwhile, and every event it queued arrives once.
 * The centre is the real intake on each engine, on the depot's in-process
 * network; the clock moves in 50 ms steps, each waiting for the commits
 * and a millisecond of real time.
 */
onBothEngines(t, 'the centre stopped for five minutes: the depot keeps its events offline, and they all arrive once when the centre is back', async (t, f) => {
  const clock = new VirtualClock();
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), clock);
  const { key } = await registry.add(DEPOT_ID, 'key-depot', {}, { actor: 'test' });
  const rig = new DepotRig({ clock, key });
  // The rig's stand-in centre leaves its address to the real intake.
  rig.centre.close();
  const startIntake = (): CheckInIntake => new CheckInIntake({ db, registry, port: rig.net.bind(CENTRE.host, CENTRE.port), clock, random: cryptoRandom });
  let intake: CheckInIntake | undefined = startIntake();
  t.teardown(async () => {
    rig.depot.powerOff();
    await intake?.close();
  });
  const run = async (ms: number): Promise<void> => {
    for (let done = 0; done < ms; done += 50) {
      clock.advance(50);
      await intake?.flush();
      // A key read from the database is real I/O too (PostgreSQL): a millisecond of real time per step.
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  const stored = async (): Promise<number[]> => (await new EventLog(db).list({ deviceId: DEPOT_ID, limit: 1000 })).map((e) => Number(e.deviceSeq)).sort((a, b) => a - b);

  rig.boot();
  await run(5_000);
  t.ok(rig.depot.online, 'the depot checked in with the centre');
  const before = await stored();
  t.ok(before.length > 0, `its start-up events are stored (${before.length})`);

  await intake.close();
  intake = undefined;
  const made: string[] = [];
  for (let minute = 0; minute < 5; minute++) {
    rig.depot.sensorDoor(true);
    rig.depot.sensorDoor(false);
    rig.depot.sensorMains(minute % 2 === 0 ? false : true);
    made.push('door-open', 'door-close', minute % 2 === 0 ? 'power-loss' : 'power-return');
    await run(OUTAGE_MS / 5);
  }
  t.notOk(rig.depot.online, 'five minutes without an answer: the depot knows it is offline');
  t.ok(rig.reports.some((r) => r.type === 'timeout'), 'its check-ins went unanswered');
  t.same(rig.depot.pendingEvents().map((e) => e.type), made, 'every event of the outage is queued in its flash, in order');
  t.same(await stored(), before, 'and nothing new reached the database meanwhile');

  intake = startIntake();
  for (let i = 0; i < 60 && rig.depot.pendingEvents().length > 0; i++) await run(5_000);
  t.same(rig.depot.pendingEvents(), [], 'the centre is back: the depot sent its whole queue');
  const after = await stored();
  const top = after[after.length - 1];
  t.same(after, Array.from({ length: top }, (_, i) => i + 1), `every event the depot made is stored exactly once (seq 1–${top}, no gap, no repeat)`);
  const types = (await new EventLog(db).list({ deviceId: DEPOT_ID, limit: 1000 })).filter((e) => Number(e.deviceSeq) > before[before.length - 1]).map((e) => e.type);
  t.same(types.sort(), [...made].sort(), 'those of the outage among them, each once');
});
