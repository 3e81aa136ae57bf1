import t from 'tap';
import { Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { SessionClient } from '../../src/clients/session-client.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * `hicom-sim lab` as a child process, driven over TCP like a program would:
 * first login as SERVICE, users in several circles, a station name changed
 * by Administration, the protocol log as the revisor sees it, and what each
 * circle may see.
 */
t.test('first login, users in four circles, a customer change and the revisor\'s log over TCP', async (t) => {
  const lab = await startLab(t, await writeLabConfig(tempDir(t)));
  const session = async (name: string, password: string): Promise<SessionClient> => {
    const c = await lab.connect();
    t.teardown(() => c.close());
    await c.login(name, password);
    return c;
  };

  const service = await lab.connect();
  t.teardown(() => service.close());
  const intro = await firstLoginOverTcp(service, 'tech', 'techpw1');
  t.match(intro, /No users are set up in the system yet\./, 'the first login says that no users exist yet');
  t.match((await service.run('show system')).lines.join('\n'), /you: tech \(system-maintenance\)/, 'the first user is in System maintenance');
  t.ok((await addUser(service, { name: 'useradm', circle: Circle.UserAdministration, password: 'uapw1' })).ok, 'System maintenance creates the user administrator while it holds all rights');
  const refused = await service.command('user add rev revision');
  t.equal(refused.code, 403, 'with a user administrator present, System maintenance has lost user administration');
  await service.run('logout');

  const ua = await session('useradm', 'uapw1');
  for (const user of [
    { name: 'rev', circle: Circle.Revision, password: 'revpw1' },
    { name: 'adm', circle: Circle.Administration, password: 'admpw1' },
    { name: 'geb', circle: Circle.ChargeAccounting, password: 'gebpw1' },
  ]) {
    const r = await addUser(ua, user);
    t.ok(r.ok, `the user administrator creates ${user.name} in ${CIRCLE_NAME[user.circle]}: ${r.message}`);
  }
  const list = (await ua.run('user list')).lines.join('\n');
  t.match(list, /rev\s+revision/, 'user list shows rev with its circle');
  t.match(list, /geb\s+charge-accounting/, 'user list shows geb with its circle');
  t.equal((await ua.run('kds show')).message, '0 items', 'User administration reads no KDS data');

  const adm = await session('adm', 'admpw1');
  const changed = await adm.run('set station.101.name "Meier Hans"');
  t.same(changed.lines, ['station.101.name = "Meier Hans"'], 'Administration changes a station name (customer data)');
  t.equal((await adm.command('get speeddial.central.1')).ok, true, 'Administration reads customer-confidential speed dial');
  t.equal((await adm.command('log show')).code, 403, 'Administration may not read the protocol log');
  t.equal((await adm.command('set c1.system-name Foo')).code, 403, 'Administration may not change system data');
  t.match((await adm.run('show rights')).lines.join('\n'), /data customer \(confidential\): read write/, 'Administration\'s rights name confidential customer data');

  const geb = await session('geb', 'gebpw1');
  t.ok((await geb.command('set charge.unit-price 150')).ok, 'Charge accounting changes the unit price');
  t.equal((await geb.command('set station.101.name X')).code, 403, 'Charge accounting may not change station names');

  const rev = await session('rev', 'revpw1');
  const log = (await rev.run('log show')).lines;
  const has = (re: RegExp, what: string): void => {
    t.ok(log.some((l) => re.test(l)), `${what} is in the log`);
  };
  has(/ system\s+- \(5\) A2-3-"HE300M\.00\.001\.01"$/, 'the startup A2-3 with the APS version');
  has(/ tech\s+S \(8\) D2-1 tech system-maintenance$/, 'the first user\'s creation D2-1');
  has(/ tech\s+S \(8\) D2-1 useradm user-administration$/, 'D2-1 of the user administrator, by tech');
  has(/ useradm\s+B \(8\) D2-1 rev revision$/, 'D2-1 of rev, by the user administrator');
  has(/ adm\s+A \(3\) A0-1$/, 'the login of adm (A0-1)');
  has(/ adm\s+A \(2\) STN-NAME 101 "Meier Hans"$/, 'the station-name change in format 2 with the station number');
  has(/ geb\s+G \(2\) CHG-PRICE "150"$/, 'the charge change in format 2');
  has(/ tech\s+S \(3\) A0-2$/, 'the logout of tech (A0-2)');
  t.notOk(log.some((l) => /get |show |log show/.test(l)), 'reads are not logged');
  const stationIdx = log.findIndex((l) => /STN-NAME 101/.test(l));
  t.ok(log.slice(0, stationIdx).some((l) => / adm\s+A \(3\) A0-1$/.test(l)), 'the change comes after its user\'s login');

  const revShow = (await rev.run('kds show')).lines.join('\n');
  t.match(revShow, /station\.101\.name = "Meier Hans"/, 'Revision sees the changed station name');
  t.notMatch(revShow, /speeddial|namekey|^pin/m, 'Revision sees no customer-confidential data');
  t.notMatch(revShow, /^dev\./m, 'Revision sees no Development-reserved data');
  const secret = await rev.command('get speeddial.central.1');
  t.equal(secret.code, 403, 'get of a confidential item is refused for Revision');
  t.match(secret.message, /missing right: read speeddial\.central\.1/, 'the refusal names the item');
  const revRights = (await rev.run('show rights')).lines.join('\n');
  t.match(revRights, /action log-read: yes/, 'Revision may read the log');
  t.match(revRights, /data customer \(confidential\): - -/, 'Revision has no rights on confidential data');
  t.equal((await rev.command('set station.102.name X')).code, 403, 'Revision changes nothing');

  const tech = await session('tech', 'techpw1');
  t.equal((await tech.command('get speeddial.central.1')).code, 403, 'a reduced System maintenance no longer reads confidential data');
  t.ok((await tech.command('set c1.system-name "Hicom Test"')).ok, 'System maintenance still changes system data');
  t.notMatch((await tech.run('show rights')).lines.join('\n'), /holds all rights/, 'the all-rights note is gone once other circles have users');
});
