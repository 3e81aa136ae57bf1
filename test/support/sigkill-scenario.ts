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
/** A started process that has not answered its first acks within this long is a failure, not a slow machine. */
const ACKS_WAIT_MS = 20_000;

const ackCount = (swarm: DeviceSwarm): number => swarm.devices.reduce((n, d) => n + d.ackedCounters.length, 0);

export async function sigkillScenario(t: Test, f: EngineFixture): Promise<void> {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const devices = [];
  for (let i = 0; i < DEVICES; i++) devices.push({ id: `KILL-${i}`, key: (await registry.add(`KILL-${i}`, 'key-depot', {}, { actor: 'test' })).key });
  const swarm = new DeviceSwarm(devices, 300);
  t.teardown(() => swarm.close());
  await swarm.start();
  const rng = new SeededRandom(5);
  let answeredRounds = 0;
  const short: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    const centre = await startCentre(t, { db: f.spec, state: f.stateDir, http: false, extra: ['--no-supervision'] });
    swarm.target = centre.udp;
    // A random moment of intake: after 1–16 acks of this process (counted, not timed, so a loaded
    // machine that starts the process slowly still kills it while it answers), then 0–50 ms more.
    const before = ackCount(swarm);
    const wanted = 1 + (rng.bytes(1)[0] % 16);
    const deadline = Date.now() + ACKS_WAIT_MS;
    while (ackCount(swarm) - before < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    if (ackCount(swarm) - before >= wanted) answeredRounds++;
    else short.push(`process ${k + 1}: ${ackCount(swarm) - before} of ${wanted} acks in ${ACKS_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, (rng.bytes(1)[0] / 255) * 50));
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
  t.same(short, [], `every one of the ${KILLS} processes acknowledged check-ins before it was killed (${acked} acks in all)`);
  t.equal(answeredRounds, KILLS, 'all of them counted');
  t.ok(swarm.devices.some((d) => d.unanswered > 0), 'and some went unanswered while it was down');
  t.same(missingCheckIns, [], 'every acknowledged check-in is in the database');
  t.same(missingEvents, [], 'every event a device deleted (acknowledged) is in the database');
  const dupes = await db.kysely.selectFrom('events').select(['device_id', 'device_seq']).where('device_seq', 'is not', null).groupBy(['device_id', 'device_seq']).having((eb) => eb.fn.countAll(), '>', 1).execute();
  t.same(dupes, [], 'and none twice');
}
