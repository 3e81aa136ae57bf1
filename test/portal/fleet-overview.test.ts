import t from 'tap';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { EventLog } from '../../src/database/event-log.js';
import { PortalAccounts, type PortalAccount } from '../../src/database/portal-accounts.js';
import { rightsMask } from '../../src/database/portal-rights.js';
import { PortalGrants } from '../../src/database/portal-grants.js';
import { AccessScope } from '../../src/portal/access-scope.js';
import { fleetOverview } from '../../src/portal/fleet-overview.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';

const NOW = Date.UTC(2026, 2, 1, 9);
const by = { actor: 'cli:test' };

/** id → presence, test state, seconds since the last check-in (null: never), an open alarm. */
const FLEET: Array<[string, 'ok' | 'late' | 'missing' | 'unknown', 'ok' | 'overdue', number | null, boolean]> = [
  ['OK-OLD', 'ok', 'ok', 50, false],
  ['OK-NEW', 'ok', 'ok', 5, false],
  ['LATE-1', 'late', 'ok', 100, false],
  ['MISS-1', 'missing', 'ok', 900, false],
  ['ALARM-1', 'ok', 'ok', 10, true],
  ['TEST-1', 'ok', 'overdue', 20, false],
  ['NEVER-1', 'unknown', 'ok', null, false],
  ['MISS-2', 'missing', 'overdue', 600, true],
];

onBothEngines(t, 'the fleet overview: state in SQL, counts, sorted by urgency, search, filter, pages, the grant filter', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), { now: () => NOW });
  const events = new EventLog(db);
  for (const [id, presence, test, ago, alarm] of FLEET) {
    await registry.add(id, id.startsWith('MISS') ? 'key-depot' : 'pbx', { customerName: id === 'OK-NEW' ? 'Müller 100%_AG' : `Kunde ${id}`, siteName: 'Berlin' }, by);
    await db.kysely
      .updateTable('supervision_states')
      .set({ presence, test, presence_since: NOW, last_check_in_at: ago === null ? null : NOW - ago * 1000 })
      .where('device_id', '=', id)
      .execute();
    if (alarm) await events.add({ deviceId: id, source: 'device', type: 'class-b-error', occurredAt: NOW, receivedAt: NOW, data: { code: 1 } });
  }
  // An acknowledged alarm and a supervision event are no alarm of the device's own.
  const acked = await events.add({ deviceId: 'OK-OLD', source: 'device', type: 'tamper', occurredAt: NOW, receivedAt: NOW });
  await events.acknowledge(acked, 'chef', NOW);
  await events.add({ deviceId: 'LATE-1', source: 'supervision', type: 'late', occurredAt: NOW, receivedAt: NOW });

  const manager = new AccessScope({ id: 1, role: 'manager' } as PortalAccount, []);
  const all = await fleetOverview(db.kysely, manager);
  t.same(
    all.rows.map((r) => [r.id, r.state]),
    [['MISS-2', 'alarm'], ['ALARM-1', 'alarm'], ['MISS-1', 'missing'], ['LATE-1', 'late'], ['TEST-1', 'test-overdue'], ['NEVER-1', 'unknown'], ['OK-OLD', 'ok'], ['OK-NEW', 'ok']],
    'most urgent first, then the longest silent, then the id',
  );
  t.same(all.counts, { alarm: 2, missing: 1, late: 1, 'test-overdue': 1, unknown: 1, ok: 2 }, 'counts per state');
  t.equal(all.matching, 8, 'every device matches');
  t.same(all.rows.find((r) => r.id === 'MISS-2'), { id: 'MISS-2', kind: 'key-depot', customerName: 'Kunde MISS-2', siteName: 'Berlin', state: 'alarm', lastCheckInAt: NOW - 600_000, openAlarms: 1 }, 'a row carries its text, last check-in and open alarms');
  t.equal(all.rows.find((r) => r.id === 'NEVER-1')?.lastCheckInAt, null, 'never checked in');

  const page2 = await fleetOverview(db.kysely, manager, { pageSize: 3, page: 2 });
  t.same([page2.rows.map((r) => r.id), page2.page, page2.pages], [['LATE-1', 'TEST-1', 'NEVER-1'], 2, 3], 'pages of three, in the same order');
  const beyond = await fleetOverview(db.kysely, manager, { pageSize: 3, page: 99 });
  t.same([beyond.page, beyond.rows.map((r) => r.id)], [3, ['OK-OLD', 'OK-NEW']], 'a page past the end shows the last');
  const missing = await fleetOverview(db.kysely, manager, { state: 'missing' });
  t.same([missing.rows.map((r) => r.id), missing.matching, missing.counts.alarm], [['MISS-1'], 1, 2], 'a state filter: its rows, the counts stay over the whole fleet');
  const depots = await fleetOverview(db.kysely, manager, { kind: 'key-depot' });
  t.same(depots.rows.map((r) => r.id), ['MISS-2', 'MISS-1'], 'a kind filter');
  t.same((await fleetOverview(db.kysely, manager, { search: 'müller 100%_' })).rows.map((r) => r.id), ['OK-NEW'], 'search in the customer, % and _ taken literally');
  t.same((await fleetOverview(db.kysely, manager, { search: '100%' })).rows.map((r) => r.id), ['OK-NEW'], 'a % matches only a %');
  t.same((await fleetOverview(db.kysely, manager, { search: "x' or 1=1 --" })).rows, [], 'SQL in the search is text');
  t.same((await fleetOverview(db.kysely, manager, { search: 'miss' })).rows.map((r) => r.id), ['MISS-2', 'MISS-1'], 'search in the id, any case');

  const inst = await new PortalAccounts(db).create({ name: 'inst', displayName: 'inst', role: 'partner', partnerKind: 'installer', passwordHash: 'not used here', networks: '' }, by, NOW);
  const grants = new PortalGrants(db);
  await grants.set(inst.id, 'inst', 'LATE-1', rightsMask(['see-status']), '', by, NOW);
  await grants.set(inst.id, 'inst', 'OK-NEW', rightsMask(['see-status']), '', by, NOW);
  await grants.set(inst.id, 'inst', 'ALARM-1', rightsMask(['live']), '', by, NOW);
  const partner = await fleetOverview(db.kysely, new AccessScope(inst, []));
  t.same(partner.rows.map((r) => r.id), ['LATE-1', 'OK-NEW'], 'a partner sees the devices granted with see-status, nothing else');
  t.same(partner.counts, { alarm: 0, missing: 0, late: 1, 'test-overdue': 0, unknown: 0, ok: 1 }, 'and counts only those');
});
