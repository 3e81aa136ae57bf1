/**
 * SIGKILL of `centre serve` during intake, at random moments, 50 times
 * (issue 11): an ack is a receipt — every telegram the service acknowledged
 * is in the database after the restart, and so is every event a device
 * deleted from its queue (a device deletes only what an ack listed). One
 * test file per engine (test/faults/intake-sigkill-*.test.ts) so the two
 * run side by side: each restart is a process start.
 */
import type { Test } from 'tap';
import { SeededRandom } from '../../core/seeded-random.js';
import type { EngineFixture } from './both-engines.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { startCentre } from './centre-child.js';
import { DeviceSwarm } from './device-swarm.js';

export const KILLS = 50;
const DEVICES = 6;

export async function sigkillScenario(t: Test, f: EngineFixture): Promise<void> {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const devices = [];
  for (let i = 0; i < DEVICES; i++) devices.push({ id: `KILL-${i}`, key: (await registry.add(`KILL-${i}`, 'key-depot', {}, { actor: 'test' })).key });
  const swarm = new DeviceSwarm(devices, 300);
  t.teardown(() => swarm.close());
  await swarm.start();
  const rng = new SeededRandom(5);
  for (let k = 0; k < KILLS; k++) {
    const centre = await startCentre(t, { db: f.spec, state: f.stateDir, http: false, extra: ['--no-supervision'] });
    swarm.target = centre.udp;
    // A random moment of intake: 30–230 ms of check-ins in flight.
    await new Promise((r) => setTimeout(r, 30 + (rng.bytes(1)[0] / 255) * 200));
    await centre.kill();
    swarm.target = undefined;
  }
  await swarm.stop();
  const missingCheckIns: string[] = [];
  const missingEvents: string[] = [];
  let acked = 0;
  for (const d of swarm.devices) {
    const counters = new Set((await db.kysely.selectFrom('check_ins').select('counter').where('device_id', '=', d.id).execute()).map((r) => Number(r.counter)));
    const seqs = new Set((await db.kysely.selectFrom('events').select('device_seq').where('device_id', '=', d.id).execute()).map((r) => Number(r.device_seq)));
    acked += d.ackedCounters.length;
    for (const c of d.ackedCounters) if (!counters.has(c)) missingCheckIns.push(`${d.id}#${c}`);
    for (const s of d.ackedSeqs) if (!seqs.has(s)) missingEvents.push(`${d.id} seq ${s}`);
  }
  t.ok(acked > KILLS, `the service acknowledged check-ins between the kills (${acked})`);
  t.ok(swarm.devices.some((d) => d.unanswered > 0), 'and some went unanswered while it was down');
  t.same(missingCheckIns, [], 'every acknowledged check-in is in the database');
  t.same(missingEvents, [], 'every event a device deleted (acknowledged) is in the database');
  const dupes = await db.kysely.selectFrom('events').select(['device_id', 'device_seq']).where('device_seq', 'is not', null).groupBy(['device_id', 'device_seq']).having((eb) => eb.fn.countAll(), '>', 1).execute();
  t.same(dupes, [], 'and none twice');
}
