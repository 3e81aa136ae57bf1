import { sql } from 'kysely';
import t from 'tap';
import { EMPTY_REPLAY_WINDOW, type ReplayWindow } from '../../core/replay-window.js';
import { storeCheckIns, type CheckInOutcome } from '../../src/centre/check-in-store.js';
import { adoptDevices } from '../../src/centre/supervisor.js';
import { CheckIns } from '../../src/database/check-ins.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { schemaMigrator } from '../../src/database/migrate-schema.js';
import { readReplayWindow } from '../../src/database/replay-windows.js';
import { SupervisionStates } from '../../src/database/supervision-states.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { arrival, T0 } from '../support/check-in-arrival.js';

const by = { actor: 'test' };
/** The migration before the device's check-in row (0013). */
const BEFORE_ROW = '0012-check-in-chain';
const MIGRATION = '0013-device-check-in-row';

/** Store one check-in per device in one batch at `at`, with the windows the caller last saw. */
async function checkIn(db: CentreDatabase, list: Array<[string, number]>, windows: Map<string, ReplayWindow>, at: number): Promise<CheckInOutcome[]> {
  const outcomes = await db.run(() => storeCheckIns(db.kysely, list.map(([id, counter]) => arrival(id, counter, windows.get(id), {}, { at }))));
  for (const [k, o] of outcomes.entries()) if (o.verdict === 'accept' || o.verdict === 'replay' || o.verdict === 'clock-skew') windows.set(list[k][0], o.window);
  return outcomes;
}

onBothEngines(t, 'migration 0013 carries a database with history forward into one row per device: windows, history heads and supervision as they were, check-ins go on', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  for (const id of ['H1', 'H2', 'H3', 'GONE']) await registry.add(id, 'key-depot', {}, by);
  const windows = new Map<string, ReplayWindow>();
  // H1 three check-ins; H2 sixty-four, so its mask is full and beyond 2^53; H3 never; GONE once, then removed.
  for (let c = 1; c <= 64; c++) {
    const list: Array<[string, number]> = [['H2', c]];
    if (c <= 3) list.push(['H1', c]);
    if (c === 1) list.push(['GONE', 1]);
    t.same((await checkIn(db, list, windows, T0 + c * 1000)).map((o) => o.verdict), list.map(() => 'accept'), `check-ins at second ${c} are taken`);
  }
  t.ok(await registry.remove('GONE', by), 'GONE is removed again');
  const states = new SupervisionStates(db);
  const before = await states.list();
  t.same(before.map((s) => [s.deviceId, s.presence, s.lastCheckInAt]), [['H1', 'ok', T0 + 3000], ['H2', 'ok', T0 + 64_000], ['H3', 'unknown', null]], 'before: H1 and H2 present, H3 never heard');

  const down = await schemaMigrator(db).migrateTo(BEFORE_ROW);
  t.error(down.error, 'the database is taken back to the schema before 0013');
  const old = await sql<{ device_id: string; highest: number; mask: string; last_check_in_id: number | null }>`select device_id, highest, cast(mask as text) as mask, last_check_in_id from replay_windows order by device_id`.execute(db.kysely);
  t.same(
    old.rows.map((r) => [r.device_id, Number(r.highest), r.mask]),
    ['H1', 'H2', 'H3'].map((id) => [id, windows.get(id)?.highest ?? -1, (windows.get(id)?.mask ?? 0n).toString()]),
    'there, as the previous program kept them: a replay window row per registered device',
  );
  // As older programs left it: a removed device's state behind, a registered device without one.
  await sql`insert into supervision_states (device_id, presence, presence_since, test, test_since, next_check_at) values ('GONE', 'ok', ${T0}, 'unknown', ${T0}, ${T0})`.execute(db.kysely);
  await sql`delete from supervision_states where device_id = 'H3'`.execute(db.kysely);

  const up = await schemaMigrator(db).migrateTo(MIGRATION);
  t.error(up.error, 'migrating up carries it forward');
  t.same(up.results?.map((r) => r.migrationName), [MIGRATION], 'with the one new migration');
  const tables = (await db.kysely.introspection.getTables()).map((x) => x.name);
  t.notOk(tables.includes('replay_windows'), 'replay_windows is gone: the window lives in the device row');
  for (const id of ['H1', 'H2', 'H3']) t.same(await db.run(() => readReplayWindow(db.kysely, id)), windows.get(id) ?? { highest: -1, mask: 0n }, `${id}: its window as it was`);
  t.equal(await db.run(() => readReplayWindow(db.kysely, 'GONE')), undefined, 'GONE has no window: a removed device stays unknown to the intake');
  const after = await states.list();
  t.same(after.slice(0, 2), before.slice(0, 2), 'H1 and H2: every field of their supervision as it was');
  const h3 = (await registry.get('H3'))!;
  t.same(after.slice(2).map((s) => [s.deviceId, s.presence, s.presenceSince, s.lastCheckInAt, s.nextCheckAt]), [['H3', 'unknown', h3.createdAt, null, h3.createdAt]], 'H3, which had no state, gets a first one due at once; the removed device\'s state is dropped');

  // The intake goes on on the merged row: replays refused, fresh counters taken, history continued.
  const later = T0 + 3_600_000;
  const outcomes = await checkIn(db, [['H1', 3], ['H2', 10], ['H1', 4], ['H2', 65], ['H3', 1]], windows, later);
  t.same(outcomes.map((o) => o.verdict), ['replay', 'replay', 'accept', 'accept', 'accept'], 'old counters are replays, new ones are taken, H3 checks in for the first time');
  const history = new CheckIns(db);
  t.same((await history.recent('H1')).map((c) => c.counter), [4, 3, 2, 1], "H1's new check-in heads its old history");
  t.same((await history.recent('H2', 3)).map((c) => c.counter), [65, 64, 63], "and H2's");
  t.same((await history.recent('GONE')).map((c) => c.counter), [1], 'the removed device keeps its history');
  const now = await states.list();
  t.same(now.map((s) => [s.deviceId, s.lastCheckInAt]), [['H1', later], ['H2', later], ['H3', later]], 'each last check-in moved in the same row');
  t.equal(now[2].presence, 'ok', 'H3 is present now');

  const again = await schemaMigrator(db).migrateTo(BEFORE_ROW);
  t.error(again.error, 'and 0013 goes down again with the new check-ins');
  const back = await sql<{ device_id: string; highest: number }>`select device_id, highest from replay_windows order by device_id`.execute(db.kysely);
  t.same(back.rows.map((r) => [r.device_id, Number(r.highest)]), [['H1', 4], ['H2', 65], ['H3', 1]], 'with every window back in replay_windows');
});

onBothEngines(t, 'a device removed and registered again gets a fresh row: an empty window, its history head, a new state', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  await registry.add('R1', 'key-depot', {}, by);
  const windows = new Map<string, ReplayWindow>();
  t.same((await checkIn(db, [['R1', 7]], windows, T0)).map((o) => o.verdict), ['accept'], 'R1 checks in');
  t.ok(await registry.remove('R1', by), 'and is removed');
  t.same(await new SupervisionStates(db).list(), [], 'its row went with it');
  await registry.add('R1', 'key-depot', {}, by);
  t.same(await db.run(() => readReplayWindow(db.kysely, 'R1')), { highest: -1, mask: 0n }, 'registered again: an empty window (the old counters mean nothing under a new key)');
  t.same((await new SupervisionStates(db).list()).map((s) => [s.deviceId, s.presence, s.lastCheckInAt]), [['R1', 'unknown', null]], 'and a first state');
  t.same((await checkIn(db, [['R1', 1]], new Map(), T0 + 60_000)).map((o) => o.verdict), ['accept'], 'counter 1 is taken');
  t.same((await new CheckIns(db).recent('R1')).map((c) => c.counter), [1, 7], 'its history goes on from the old head');
  const { device } = await registry.rekey('R1', by);
  t.equal(device.keyVersion, 2, 'a rekey');
  t.same(await db.run(() => readReplayWindow(db.kysely, 'R1')), { highest: -1, mask: 0n }, 'empties the window in the row');
  t.same((await new SupervisionStates(db).list()).map((s) => [s.deviceId, s.presence, s.lastCheckInAt]), [['R1', 'ok', T0 + 60_000]], 'and leaves the supervision in it alone');
});

onBothEngines(t, 'a registered device without a row gets one with the empty replay window, from the supervisor or a saved state', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  for (const id of ['A1', 'A2']) await registry.add(id, 'key-depot', {}, by);
  // As a database of an older program could hold it: registered devices without a state.
  await sql`delete from supervision_states`.execute(db.kysely);
  await db.run(() => adoptDevices(db.kysely, T0));
  t.same(await db.run(() => readReplayWindow(db.kysely, 'A1')), EMPTY_REPLAY_WINDOW, 'adopted by the supervisor: the empty window (highest -1), not highest 0');
  const states = new SupervisionStates(db);
  const a1 = (await states.get('A1'))!;
  await sql`delete from supervision_states where device_id = 'A2'`.execute(db.kysely);
  await states.save({ ...a1, deviceId: 'A2' });
  t.same(await db.run(() => readReplayWindow(db.kysely, 'A2')), EMPTY_REPLAY_WINDOW, 'a state saved for a device without a row: the empty window too');
  t.same((await checkIn(db, [['A1', 0], ['A2', 0]], new Map(), T0 + 60_000)).map((o) => o.verdict), ['accept', 'accept'], 'so counter 0, the first a device may use, is taken, not a replay');
  await states.save({ ...(await states.get('A1'))!, presence: 'late' });
  t.same(await db.run(() => readReplayWindow(db.kysely, 'A1')), { highest: 0, mask: 0n }, 'and saving a state later leaves the window the check-in moved');
});
