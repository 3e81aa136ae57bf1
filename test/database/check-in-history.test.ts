import { sql } from 'kysely';
import t from 'tap';
import { storeCheckIn, storeCheckIns } from '../../src/centre/check-in-store.js';
import { schemaMigrator } from '../../src/database/migrate-schema.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import type { ReplayWindow } from '../../core/replay-window.js';
import { MasterKey } from '../../src/storage/master-key.js';
import type { PortalAccount } from '../../src/database/portal-accounts.js';
import { AccessScope } from '../../src/portal/access-scope.js';
import { historyTable } from '../../src/portal/history-views.js';
import { onBothEngines } from '../support/both-engines.js';
import { serviceRig } from '../support/centre-service-rig.js';
import { arrival, T0 } from '../support/check-in-arrival.js';

const by = { actor: 'test' };
/** The migration before the check-in chain (0012). */
const BEFORE_CHAIN = '0011-function-test-wait';

onBothEngines(t, 'migration 0012 carries a database with check-in history forward: the old rows read through the API in order, new ones follow on', async (t, f) => {
  const old = await f.open();
  const registry = await DeviceRegistry.open(old, MasterKey.load(f.stateDir, {}));
  for (const id of ['H1', 'H2', 'GONE']) await registry.add(id, 'key-depot', {}, by);
  t.ok(await registry.remove('GONE', by), 'GONE is registered and removed again before the history below');
  const down = await schemaMigrator(old).migrateTo(BEFORE_CHAIN);
  t.error(down.error, 'the database is taken back to the schema before 0012');
  // History as the previous program stored it: interleaved devices, a removed device's rows among them.
  const rows: Array<[string, number]> = [['H1', 1], ['H2', 1], ['GONE', 1], ['H1', 2], ['GONE', 2], ['H2', 2], ['H1', 3]];
  for (const [k, [id, counter]] of rows.entries()) {
    await sql`insert into check_ins (device_id, received_at, counter, device_time_ms, source, status) values (${id}, ${T0 + k * 1000}, ${counter}, ${T0 + k * 1000}, ${'old'}, ${JSON.stringify({ n: counter })})`.execute(old.kysely);
  }
  const up = await schemaMigrator(old).migrateTo('0013-device-check-in-row');
  t.error(up.error, 'migrating up carries it forward');
  t.same(up.results?.map((r) => r.migrationName), ['0012-check-in-chain', '0013-device-check-in-row'], 'with the migrations after it');
  t.error((await schemaMigrator(old).migrateToLatest()).error, 'and on to the latest schema');

  const s = await serviceRig(t, f);
  const counters = async (id: string, query = '') => {
    const r = await s.call('GET', `/api/v1/devices/${id}/check-ins${query}`);
    t.equal(r.status, 200, `GET check-ins of ${id}${query}: 200`);
    return (r.json as Array<{ counter: number; deviceId: string; status?: { n: number } }>).map((c) => [c.deviceId, c.counter, c.status?.n]);
  };
  t.same(await counters('H1'), [['H1', 3, 3], ['H1', 2, 2], ['H1', 1, 1]], "H1's old check-ins, newest first, each with its own status");
  t.same(await counters('H2'), [['H2', 2, 2], ['H2', 1, 1]], "H2's, none of another device's");
  t.same(await counters('GONE'), [['GONE', 2, 2], ['GONE', 1, 1]], 'a removed device keeps its history readable');
  t.same(await counters('NEVER'), [], 'an id that never checked in has none');

  // New check-ins chain onto the old ones, through the batch and the one-by-one path.
  const later = { at: T0 + 3_600_000 };
  const batch = await s.db.run(() => storeCheckIns(s.db.kysely, [arrival('H1', 4, undefined, {}, later), arrival('H2', 3, undefined, {}, later)]));
  t.same(batch.map((o) => o.verdict), ['accept', 'accept'], 'a batch after the migration is taken');
  t.same((await counters('H1')).map((c) => c[1]), [4, 3, 2, 1], 'H1: the new check-in heads the old history');
  t.same((await counters('H1', '?limit=2')).map((c) => c[1]), [4, 3], 'and a limit reads only the newest');
  await s.registry.add('GONE', 'key-depot', {}, by);
  const again = await s.db.run(() => storeCheckIn(s.db.kysely, arrival('GONE', 1, undefined, {}, later)));
  t.equal(again.verdict, 'accept', 'GONE, registered again, checks in with a fresh key and counters');
  t.same((await counters('GONE')).map((c) => c[1]), [1, 2, 1], 'and its history goes on from the old one');
  const scope = new AccessScope({ id: 1, role: 'manager' } as PortalAccount, []);
  const view = async (deviceId: string | undefined, from: number, to: number) => (await historyTable(s.db.kysely, scope, 'see-history', 'check-ins', { from, to }, deviceId, 2)).table.rows.map((r) => `${r[1]}:${r[2]}`);
  t.same(await view('H1', T0, T0 + 7000), ['H1:1', 'H1:2'], "the portal's check-in history of H1: the period's rows oldest first, as many as the page takes");
  t.same(await view('H1', T0 + 1000, T0 + 7000), ['H1:2', 'H1:3'], 'from a later start');
  t.same(await view(undefined, T0 + 1000, T0 + 4000), ['H2:1', 'GONE:1'], 'and of every device in scope, by time');
  const heads = await s.db.kysely.selectFrom('check_in_heads').selectAll().execute();
  t.same(heads, [], 'no head of a removed device is left once it is registered again');
});

onBothEngines(t, 'one device checking in through two database handles, batch and one by one, has one unbroken history', async (t, f) => {
  const a = await f.open();
  const b = await f.open();
  const registry = await DeviceRegistry.open(a, MasterKey.load(f.stateDir, {}));
  await registry.add('C1', 'key-depot', {}, by);
  await registry.add('C2', 'key-depot', {}, by);
  for (let c = 1; c <= 12; c++) {
    const db = c % 2 === 0 ? a : b;
    const at = { at: T0 + c * 1000 };
    // A stale guess (the other handle moved the window) sends the batch's C1 down the one-by-one path every other time.
    const out = c % 3 === 0 ? [await db.run(() => storeCheckIn(db.kysely, arrival('C1', c, undefined, {}, at)))] : await db.run(() => storeCheckIns(db.kysely, [arrival('C1', c, { highest: 0, mask: 0n }, {}, at), arrival('C2', c, undefined, {}, at)]));
    t.same(out.map((o) => o.verdict), out.map(() => 'accept'), `round ${c} accepted`);
  }
  const s = await serviceRig(t, f);
  const list = async (id: string) => ((await s.call('GET', `/api/v1/devices/${id}/check-ins?limit=50`)).json as Array<{ counter: number }>).map((c) => c.counter);
  t.same(await list('C1'), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 'C1: every check-in once, newest first, whichever handle and path stored it');
  t.same(await list('C2'), [11, 10, 8, 7, 5, 4, 2, 1], 'C2: only its own');
});

onBothEngines(t, 'two connections storing the same check-ins at once: each counter is taken once and stored once, and the history stays one list', async (t, f) => {
  const a = await f.open();
  const b = await f.open();
  const registry = await DeviceRegistry.open(a, MasterKey.load(f.stateDir, {}));
  const ids = ['R1', 'R2', 'R3', 'R4'];
  for (const id of ids) await registry.add(id, 'key-depot', {}, by);
  let window = new Map<string, ReplayWindow | undefined>();
  for (let c = 1; c <= 10; c++) {
    // Both connections guess the same window, so on PostgreSQL the second one's insert runs before the first one's compare-and-set commits.
    const batch = ids.map((id) => arrival(id, c, window.get(id), {}, { at: T0 + c * 1000 }));
    const [x, y] = await Promise.all([a.run(() => storeCheckIns(a.kysely, batch)), b.run(() => storeCheckIns(b.kysely, batch))]);
    for (const [k, id] of ids.entries()) {
      t.same([x[k].verdict, y[k].verdict].sort(), ['accept', 'replay'], `${id} #${c}: accepted by exactly one connection`);
    }
    window = new Map(ids.map((id, k) => [id, x[k].verdict === 'accept' ? x[k].window : y[k].verdict === 'accept' ? y[k].window : undefined]));
  }
  const s = await serviceRig(t, f);
  for (const id of ids) {
    const list = ((await s.call('GET', `/api/v1/devices/${id}/check-ins?limit=50`)).json as Array<{ counter: number }>).map((c) => c.counter);
    t.same(list, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], `${id}: each check-in stored once, in one list`);
  }
  // Every row of the table, linked into a history or not.
  const stored = await s.db.kysely.selectFrom('check_ins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(Number(stored.n), 40, 'and no row left over from a lost compare-and-set');
});

onBothEngines(t, "one device's check-in history for a period: its bounds, oldest first, the page's limit and whether there is more, in an old period too", async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  for (const id of ['P1', 'P2']) await registry.add(id, 'key-depot', {}, by);
  const MIN = 60_000;
  // P1 checks in once a minute for 30 minutes (counter k + 1 at T0 + k min), P2 between them; two of P1's in one millisecond.
  for (let k = 0; k < 30; k++) {
    const at = T0 + k * MIN;
    await db.run(() => storeCheckIns(db.kysely, [arrival('P1', k + 1, undefined, {}, { at }), arrival('P2', k + 1, undefined, {}, { at: at + MIN / 2 })]));
  }
  await db.run(() => storeCheckIn(db.kysely, arrival('P1', 31, undefined, {}, { at: T0 + 29 * MIN })));
  const scope = new AccessScope({ id: 1, role: 'manager' } as PortalAccount, []);
  const view = async (from: number, to: number, limit: number) => {
    const { table, truncated } = await historyTable(db.kysely, scope, 'see-history', 'check-ins', { from, to }, 'P1', limit);
    t.ok(table.rows.every((r) => r[1] === 'P1'), 'only P1');
    return { counters: table.rows.map((r) => Number(r[2])), more: truncated };
  };
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  t.same(await view(T0 + 5 * MIN, T0 + 12 * MIN, 100), { counters: range(6, 12), more: false }, 'a period that ends well before the newest check-in: its start included, its end not, oldest first');
  t.same(await view(T0 + 5 * MIN, T0 + 12 * MIN, 3), { counters: [6, 7, 8], more: true }, 'a smaller page: the oldest of the period first, and it says there are more');
  t.same(await view(T0 + 5 * MIN, T0 + 12 * MIN, 7), { counters: range(6, 12), more: false }, 'a page of exactly the period: no more');
  t.same(await view(T0 + 5 * MIN + 1, T0 + 12 * MIN + 1, 100), { counters: range(7, 13), more: false }, 'bounds a millisecond later: the first drops out, the one at the end comes in');
  t.same(await view(T0 + 28 * MIN, T0 + 31 * MIN, 2), { counters: [29, 30], more: true }, 'the newest period: by time, then in the order stored (30 and 31 in one millisecond)');
  t.same(await view(T0 + 28 * MIN, T0 + 31 * MIN, 3), { counters: [29, 30, 31], more: false }, 'and all three');
  t.same(await view(T0 - 10 * MIN, T0 - MIN, 100), { counters: [], more: false }, 'a period wholly older than the history: none');
  t.same(await view(T0 - 10 * MIN, T0 + MIN, 100), { counters: [1], more: false }, 'a period reaching the history from before it: its oldest');
  t.same(await view(T0 + 40 * MIN, T0 + 50 * MIN, 100), { counters: [], more: false }, 'a period after the newest: none');
});
