import t from 'tap';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MaintenanceAccess } from '../../src/database/maintenance-access.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';

onBothEngines(t, 'a device\'s maintenance access: stored with its secrets sealed, read back whole, listed without them', async (t, f) => {
  const db = await f.open();
  const key = MasterKey.load(f.stateDir, {});
  const registry = await DeviceRegistry.open(db, key);
  await registry.add('HSIM-0001', 'pbx', {}, { actor: 'test' });
  const access = new MaintenanceAccess(db, key);
  const by = { actor: 'test' };
  await access.set({ deviceId: 'HSIM-0001', lan: { host: 'fd00::10', port: 2300, route: 'netns:prov' }, modem: { number: '0301', callbackIndex: 2 }, serviceUser: 'service', pin: '24680', password: 'pw-secret-7', callbackCode: '1357' }, by, 1000);
  const got = (await access.of(['HSIM-0001', 'NOPE'])).get('HSIM-0001');
  t.same(got, { deviceId: 'HSIM-0001', lan: { host: 'fd00::10', port: 2300, route: 'netns:prov' }, modem: { number: '0301', callbackIndex: 2 }, serviceUser: 'service', pin: '24680', password: 'pw-secret-7', callbackCode: '1357' }, 'read back as stored (an IPv6 LAN address too)');
  const raw = await db.kysely.selectFrom('maintenance_access').selectAll().execute();
  const dump = JSON.stringify(raw) + Buffer.from(raw[0].secrets_sealed).toString('latin1');
  for (const secret of ['24680', 'pw-secret-7', '1357']) t.notOk(dump.includes(secret), `the secret ${secret.length} characters long is not in the database in clear`);
  t.same(await access.list(), [{ deviceId: 'HSIM-0001', lan: { host: 'fd00::10', port: 2300, route: 'netns:prov' }, modem: { number: '0301', callbackIndex: 2 }, serviceUser: 'service' }], 'a listing carries no secret');
  await access.set({ deviceId: 'HSIM-0001', modem: { number: '0302' }, serviceUser: 'service', pin: '11111', password: 'pw2' }, by, 2000);
  t.same((await access.of(['HSIM-0001'])).get('HSIM-0001'), { deviceId: 'HSIM-0001', modem: { number: '0302' }, serviceUser: 'service', pin: '11111', password: 'pw2' }, 'set again replaces it whole');
  await t.rejects(access.set({ deviceId: 'GHOST', modem: { number: '1' }, serviceUser: 's', pin: '1', password: 'p' }, by, 3000), /device: GHOST is not registered/, 'an unknown device is refused');
  t.equal(await access.remove('HSIM-0001', by, 4000), true, 'removed');
  t.equal((await access.of(['HSIM-0001'])).size, 0, 'gone');
  const audit = await db.kysely.selectFrom('audit_trail').select(['action', 'detail']).where('target', '=', 'HSIM-0001').orderBy('id').execute();
  t.same(audit.map((a) => a.action).filter((a) => a.startsWith('maintenance.')), ['maintenance.access.set', 'maintenance.access.set', 'maintenance.access.remove'], 'every change audited');
  t.notOk(audit.some((a) => /24680|pw-secret|1357/.test(a.detail)), 'the audit trail holds no secret');
});
