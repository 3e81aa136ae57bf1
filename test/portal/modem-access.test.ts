import t from 'tap';
import { MaintenanceAccess } from '../../src/database/maintenance-access.js';
import { rightsMask } from '../../src/database/portal-rights.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { portalRig } from '../support/portal-rig.js';
import { secretPattern } from '../support/secret-pattern.js';

const PIN = '24680';
const PASSWORD = 'tech pw 1';
const CODE = '4711';

/**
 * The modem access form on a PBX's page (issue 12): only the manager may
 * set, change or remove it; operators see that one is stored and by whom,
 * partners see nothing of it; PIN, password and callback code are stored
 * sealed, never come back in a page, and every change is audited without
 * them; bad input changes nothing.
 */
onBothEngines(t, 'modem access from the portal: manager only, secrets write-only, audited', async (t, f) => {
  const rig = await portalRig(t, f);
  const by = { actor: 'cli:test' };
  await rig.registry.add('HSIM-1', 'pbx', {}, by);
  await rig.registry.add('DEP-1', 'key-depot', {}, by);
  await rig.addPerson('chef', 'manager');
  await rig.addPerson('op', 'operator');
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'HSIM-1', rightsMask(['see-status', 'test', 'see-history']), '', { actor: 'chef' }, rig.clock.now());
  const store = new MaintenanceAccess(rig.db, MasterKey.load(f.stateDir, {}));
  const stored = async () => (await store.of(['HSIM-1'])).get('HSIM-1');
  const chef = await rig.login('chef');
  const op = await rig.login('op');
  const installer = await rig.login('inst');

  const page = await chef.request('GET', '/devices/HSIM-1');
  t.match(page.body, /No modem access stored: the centre cannot call this PBX/, 'the manager sees that none is stored');
  t.match(page.body, /action="\/devices\/HSIM-1\/modem-access"/, 'and the form');
  t.notMatch((await chef.request('GET', '/devices/DEP-1')).body, /data-modem-access/, 'a key depot has no modem access section');

  const form = (c: typeof chef, fields: Record<string, string>) => c.request('POST', '/devices/HSIM-1/modem-access', { _csrf: c.csrf, ...fields });
  const problem = async (fields: Record<string, string>) => decodeURIComponent(String((await form(chef, fields)).headers.location));
  const first = { number: '0301234791', serviceUser: 'tech', pin: PIN, password: PASSWORD, callbackIndex: '', callbackCode: '' };
  t.match(await problem({ ...first, pin: '' }), /problem=.*PIN.*needed the first time/, 'the first time the PIN is needed');
  t.match(await problem({ ...first, pin: '2468' }), /problem=.*5 digits/, 'a PIN is 5 digits');
  t.match(await problem({ ...first, number: "0301'; drop table devices; --" }), /problem=.*number to dial/, 'SQL in the number is refused');
  t.match(await problem({ ...first, callbackIndex: '2' }), /problem=.*callback code/, 'a callback index needs its code');
  t.equal(await stored(), undefined, 'refused forms stored nothing');
  const noCsrf = await chef.request('POST', '/devices/HSIM-1/modem-access', { ...first });
  t.equal(noCsrf.status, 403, 'without the CSRF token the form is refused');
  t.equal(await stored(), undefined, 'and nothing stored');

  const saved = await form(chef, first);
  t.match([saved.status, saved.headers.location], [303, /done=modem-access/], 'the manager saves it');
  t.same(await stored(), { deviceId: 'HSIM-1', modem: { number: '0301234791' }, serviceUser: 'tech', pin: PIN, password: PASSWORD }, 'stored, the secrets sealed under the master key and opened only by the store');
  const sealed = await rig.db.kysely.selectFrom('maintenance_access').select('secrets_sealed').where('device_id', '=', 'HSIM-1').executeTakeFirstOrThrow();
  t.notOk(Buffer.from(sealed.secrets_sealed).toString('latin1').includes(PIN), 'the PIN is not in the row in clear');
  const after = await chef.request('GET', '/devices/HSIM-1');
  t.match(after.body, /The centre dials 0301234791 with the customer PIN and logs in as tech/, 'the page says how the centre calls');
  t.match(after.body, /PIN, password stored, set \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by chef/, 'and that PIN and password are stored, when and by whom');
  t.notMatch(after.body, secretPattern(PIN, PASSWORD), 'no secret comes back in the page');

  t.match((await form(chef, { ...first, pin: '', password: '', callbackIndex: '2', callbackCode: CODE })).headers.location, /done=modem-access/, 'changed to a callback, the secrets left empty');
  t.same(await stored(), { deviceId: 'HSIM-1', modem: { number: '0301234791', callbackIndex: 2 }, serviceUser: 'tech', pin: PIN, password: PASSWORD, callbackCode: CODE }, 'empty secret fields kept the stored ones, the code added');
  const changed = await chef.request('GET', '/devices/HSIM-1');
  t.match(changed.body, /asks for a callback on index 2/, 'the page says it asks for a callback');
  t.notMatch(changed.body, secretPattern(PIN, PASSWORD, CODE), 'still no secret in the page');

  const opPage = await op.request('GET', '/devices/HSIM-1');
  t.match(opPage.body, /PIN, password, callback code stored, set .* by chef/, 'an operator sees what is stored and by whom');
  t.notMatch(opPage.body, /action="\/devices\/HSIM-1\/modem-access/, 'but gets no form');
  t.equal((await form(op, { ...first, number: '0800300' })).status, 403, 'and an operator posting it is refused');
  const instPage = await installer.request('GET', '/devices/HSIM-1');
  t.equal(instPage.status, 200, 'the installer sees the device');
  t.notMatch(instPage.body, /data-modem-access|Modem access/, 'but nothing of its modem access');
  t.equal((await form(installer, { ...first, number: '0800300' })).status, 403, 'and an installer posting it is refused');
  t.equal((await installer.request('POST', '/devices/HSIM-1/modem-access/remove', { _csrf: installer.csrf })).status, 403, 'so is removing it');
  t.equal((await stored())?.modem?.number, '0301234791', 'the refused posts changed nothing');

  const removed = await chef.request('POST', '/devices/HSIM-1/modem-access/remove', { _csrf: chef.csrf });
  t.match(removed.headers.location, /done=modem-access-removed/, 'the manager removes it');
  t.equal(await stored(), undefined, 'gone from the store');
  t.match((await chef.request('GET', '/devices/HSIM-1')).body, /No modem access stored.*Last changed .* by chef/s, 'the page says so, and who changed it last');

  const audit = await rig.db.kysely.selectFrom('audit_trail').select(['actor', 'action', 'detail', 'address']).where('target', '=', 'HSIM-1').where('action', 'like', 'maintenance.access.%').orderBy('id').execute();
  t.same(audit.map((a) => [a.actor, a.action]), [['chef', 'maintenance.access.set'], ['chef', 'maintenance.access.set'], ['chef', 'maintenance.access.remove']], 'every change in the audit trail, by the person');
  t.ok(audit.every((a) => a.address === '127.0.0.1'), 'with the address it came from');
  t.notMatch(JSON.stringify(audit), secretPattern(PIN, PASSWORD, CODE), 'and without the secrets');
});
