import t, { type Test } from 'tap';
import type { CheckInBody } from '../../core/check-in-body.js';
import type { ReplayWindow } from '../../core/replay-window.js';
import { storeCheckIn, storeCheckIns, type CheckInOutcome } from '../../src/centre/check-in-store.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceCommands } from '../../src/database/device-commands.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { readReplayWindow } from '../../src/database/replay-windows.js';
import type { Work } from '../../src/database/work.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { engineFixture, onBothEngines, type EngineFixture } from '../support/both-engines.js';
import { arrival, T0 } from '../support/check-in-arrival.js';

const by = { actor: 'test' };

/** Drive a unit of work, counting its statements. */
function* counted<T>(work: Work<T>, count: { n: number }): Work<T> {
  let step = work.next();
  while (!step.done) {
    count.n++;
    step = work.next(yield step.value);
  }
  return step.value;
}

/** Devices D1–D7, D1–D5 checked in once (present), D3 with two commands queued. */
async function prepared(db: CentreDatabase, stateDir: string): Promise<Map<string, ReplayWindow>> {
  const registry = await DeviceRegistry.open(db, MasterKey.load(stateDir, {}));
  for (let i = 1; i <= 7; i++) await registry.add(`D${i}`, 'key-depot', {}, by);
  for (let i = 1; i <= 5; i++) await db.run(() => storeCheckIn(db.kysely, arrival(`D${i}`, 1, undefined, {}, { at: T0 })));
  const commands = new DeviceCommands(db);
  await commands.queue('D3', { type: 'release', fields: { compartment: 2 }, at: T0, by: 'test' });
  await commands.queue('D3', { type: 'interval', fields: { seconds: 120 }, at: T0, by: 'test' });
  const windows = new Map<string, ReplayWindow>();
  for (let i = 1; i <= 7; i++) windows.set(`D${i}`, (await db.run(() => readReplayWindow(db.kysely, `D${i}`)))!);
  return windows;
}

/** What the check-ins left in the database, without row ids (the order of inserts differs). */
async function dump(db: CentreDatabase) {
  const q = db.kysely;
  const n = (v: unknown) => Number(v);
  return {
    checkIns: (await q.selectFrom('check_ins').select(['device_id', 'received_at', 'counter', 'device_time_ms', 'source', 'status']).execute()).map((r) => [r.device_id, n(r.received_at), n(r.counter), n(r.device_time_ms), r.source, r.status]).sort(),
    events: (await q.selectFrom('events').select(['device_id', 'type', 'device_seq', 'life', 'cleared_at', 'data']).execute()).map((r) => [r.device_id, r.type, r.device_seq === null ? null : n(r.device_seq), r.life, r.cleared_at === null ? null : n(r.cleared_at), r.data]).sort(),
    windows: (await q.selectFrom('supervision_states').select(['device_id', 'highest']).select((eb) => eb.cast<string>('mask', 'text').as('mask')).execute()).map((r) => [r.device_id, n(r.highest), r.mask]).sort(),
    // Not test_since: registering a device stamps it with the wall clock, which differs between the twins.
    supervision: (await q.selectFrom('supervision_states').select(['device_id', 'presence', 'presence_since', 'test', 'last_check_in_at', 'last_function_test_at', 'test_due_at', 'next_check_at']).execute()).map((r) => JSON.stringify(Object.values(r).map((v) => (v === null ? null : String(v))))).sort(),
    commands: (await q.selectFrom('device_commands').select(['device_id', 'command_id', 'state', 'deliveries', 'delivered_at']).execute()).map((r) => [r.device_id, n(r.command_id), r.state, n(r.deliveries), r.delivered_at === null ? null : n(r.delivered_at)]).sort(),
    rejects: (await q.selectFrom('reject_counters').select(['device_id', 'reason', 'count']).execute()).map((r) => [r.device_id, r.reason, n(r.count)]).sort(),
  };
}

/** Two databases prepared alike (`prepared`): one for a batch, its twin for the same check-ins one by one. */
async function twins(t: Test, f: EngineFixture) {
  const twin = await engineFixture(t, f.engine);
  const dbs = [await f.open(), await twin.open()];
  const windows = await prepared(dbs[0], f.stateDir);
  await prepared(dbs[1], twin.stateDir);
  return { dbs, w: (id: string) => windows.get(id) };
}

onBothEngines(t, 'a batch of check-ins has exactly the outcomes and leaves exactly the rows of the same check-ins one by one', async (t, f) => {
  const { dbs, w } = await twins(t, f);
  const at = T0 + 60_000;
  const batch = [
    arrival('D1', 2, w('D1'), { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: 1, time: Math.floor(at / 1000), type: 'door-open' }] }),
    // The second of its device in one batch, with the guess the intake had before the first.
    arrival('D1', 3, w('D1'), { events: [{ seq: 1, time: Math.floor(at / 1000), type: 'door-open' }, { seq: 2, time: Math.floor(at / 1000), type: 'door-closed' }] }),
    // A stale guess (another process moved the window): the compare-and-set loses and the window is read again.
    arrival('D2', 5, { highest: 0, mask: 0n }),
    // Open commands ride in the ack; it also ends the rejects counted for D3.
    arrival('D3', 2, w('D3'), {}, { endsRejects: true }),
    arrival('D4', 1, w('D4')),
    arrival('D5', 2, w('D5'), {}, { skewS: 1000 }),
    // Never checked in: no guess; and one never checked in with a right guess (not present: the rules take over).
    arrival('D6', 1, undefined),
    arrival('D7', 1, w('D7')),
  ];
  const count = { n: 0 };
  const batched = await dbs[0].run(() => counted(storeCheckIns(dbs[0].kysely, batch), count));
  const single: CheckInOutcome[] = [];
  for (const a of batch) single.push(await dbs[1].run(() => storeCheckIn(dbs[1].kysely, a)));
  t.same(batched, single, 'the same outcome for every check-in, in order');
  t.same(batched.map((o) => o.verdict), ['accept', 'accept', 'accept', 'accept', 'replay', 'clock-skew', 'accept', 'accept'], 'the verdicts are the expected ones (a replay, a clock skew, the rest taken)');
  t.same(batched[3].verdict === 'accept' && batched[3].commands.map((c) => c.id), [1, 2], 'D3 gets its two commands');
  t.same(await dump(dbs[0]), await dump(dbs[1]), 'and the same rows in every table the check-ins touch');
});

onBothEngines(t, 'a batch of present devices with right guesses takes a handful of statements, not several per check-in', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const ids = Array.from({ length: 200 }, (_, i) => `B${i}`);
  for (const id of ids) await registry.add(id, 'key-depot', {}, by);
  const first = await db.run(() => storeCheckIns(db.kysely, ids.map((id) => arrival(id, 1, undefined, {}, { at: T0 }))));
  const count = { n: 0 };
  const second = await db.run(() => counted(storeCheckIns(db.kysely, ids.map((id, i) => arrival(id, 2, first[i].verdict === 'replay' || first[i].verdict === 'unknown-device' ? undefined : first[i].window))), count));
  t.same(new Set(second.map((o) => o.verdict)), new Set(['accept']), 'all 200 taken');
  // One row per device (migration 0013): the counters, presence and deadline are one update of it.
  if (f.engine === 'postgres') t.ok(count.n <= 4, `200 check-ins in ${count.n} statements (2 per ${128} rows, each a round trip: insert with counters, presence and deadlines; commands)`);
  else t.ok(count.n <= 8, `200 check-ins in ${count.n} statements (4 per ${128} rows: insert, deadlines, counters with presence, commands)`);
  const one = { n: 0 };
  await db.run(() => counted(storeCheckIn(db.kysely, arrival('B0', 3, second[0].verdict === 'accept' ? second[0].window : undefined)), one));
  t.ok(one.n >= 4, `while one alone takes ${one.n}`);
});

onBothEngines(t, 'events of the ordinary check-ins of a batch go in multi-row inserts, with the outcomes and rows of one by one', async (t, f) => {
  const { dbs, w } = await twins(t, f);
  const at = T0 + 60_000;
  const s = Math.floor(at / 1000);
  const setup = [arrival('D1', 2, w('D1'), { events: [{ seq: 7, time: s, type: 'door-open' }] })];
  for (const db of dbs) await db.run(() => storeCheckIns(db.kysely, setup));
  const later = { at: at + 1000 };
  const after = (id: string, counter: number, body: CheckInBody) => arrival(id, counter, undefined, body, later);
  const batch = [
    // Resent: seq 7 is stored already (its ack was lost), seq 8 is new.
    after('D1', 3, { events: [{ seq: 7, time: s, type: 'door-open' }, { seq: 8, time: s, type: 'key-taken', compartment: 2, user: 'Meier' }] }),
    after('D2', 2, { events: [{ seq: 1, time: s, type: 'tamper' }, { seq: 2, time: s, type: 'wrong-pin' }, { seq: 3, time: s, type: 'key-returned', compartment: 1 }] }),
    // An event that ends a condition: stored one by one, in order, and what it means happens.
    after('D4', 2, { events: [{ seq: 1, time: s, type: 'door-open' }, { seq: 2, time: s + 1, type: 'door-close' }] }),
    after('D5', 2, { events: [{ seq: 1, time: s, type: 'power-loss' }] }),
    // Never checked in (not present): the one-by-one path, events and all.
    after('D6', 1, { events: [{ seq: 1, time: s, type: 'key-taken', compartment: 1 }] }),
    after('D7', 1, {}),
  ];
  const count = { n: 0 };
  const batched = await dbs[0].run(() => counted(storeCheckIns(dbs[0].kysely, batch), count));
  const single: CheckInOutcome[] = [];
  for (const a of batch) single.push(await dbs[1].run(() => storeCheckIn(dbs[1].kysely, a)));
  t.same(batched, single, 'the same outcome for every check-in, in order');
  t.same(batched.map((o) => (o.verdict === 'accept' ? [o.accepted, o.newEvents] : o.verdict)), [[[7, 8], 1], [[1, 2, 3], 3], [[1, 2], 2], [[1], 1], [[1], 1], [[], 0]], 'every seq accepted; a resent one is not new');
  t.same(await dump(dbs[0]), await dump(dbs[1]), 'and the same rows in every table (the door-open of D4 cleared by its door-close)');
  const events = await dbs[0].kysely.selectFrom('events').select(['device_id', 'type', 'life']).where('device_id', '=', 'D4').orderBy('device_seq').execute();
  t.same(events.map((e) => [e.type, e.life]), [['door-open', 'cleared'], ['door-close', 'cleared']], 'D4: the condition its own telegram ended is cleared');
  // The four present: read windows, take counters, insert check-ins, D1/D2/D5's six events in one insert, D4's two (each an insert, the second clearing), presence, commands.
  const present = { n: 0 };
  await dbs[0].run(() => counted(storeCheckIns(dbs[0].kysely, batch.slice(0, 4).map((a) => ({ ...a, telegram: { ...a.telegram, counter: a.telegram.counter + 1 } }))), present));
  t.ok(present.n <= 11, `four present check-ins with eight events in ${present.n} statements, not one or more per event`);
});
