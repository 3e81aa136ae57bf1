import t from 'tap';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import { AdminTerminal } from '../support/pbx-harness.js';
import { FailingLog, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/**
 * Entries are written before the action: when the log cannot take the entry
 * (LogAppendError), the action is refused with ERROR 507 and nothing changes.
 */
t.test('a log that cannot append refuses every change', async (t) => {
  const log = new FailingLog();
  const { pbx, store, serv } = pbxWithUsers([], { log });
  pbx.errors.add({ time: 0, cls: 'B', code: 1, location: 'slot 3', text: 'board fault', pseudo: false });
  const image = serv.cmd('kds read').lines;
  const frame = image.slice(image.findIndex((l) => l.startsWith('BEGIN')), image.indexOf('END') + 1);
  serv.cmd('user add ua 1');
  serv.cmd('uapw');
  log.failing = true;
  const before = JSON.stringify(store.load());
  const users = JSON.stringify(pbx.users.list());
  const refused = (what: string, status: string): void => {
    t.match(status, /^ERROR 507 protocol log unavailable: FMC write failed \(test\); action refused/, `${what}: refused with 507`);
  };
  refused('user add (after the password dialogue)', serv.cmd('uapw').status);
  refused('set station name', serv.cmd('set station.101.name Meier').status);
  refused('signaling interval', serv.cmd('signaling set interval 5').status);
  serv.cmd('pin set');
  serv.cmd('12345');
  refused('pin set', serv.cmd('12345').status);
  refused('errors delete', serv.cmd('errors delete').status);
  refused('errors show (B1-1 is logged)', serv.cmd('errors show').status);
  serv.cmd('kds write');
  for (const l of frame.slice(0, -1)) serv.cmd(l);
  refused('kds write', serv.cmd('END').status);
  serv.cmd('passwd');
  serv.cmd(SERV.password);
  serv.cmd('newpw');
  refused('passwd', serv.cmd('newpw').status);
  t.equal(JSON.stringify(store.load()), before, 'the stored state is unchanged');
  t.equal(JSON.stringify(pbx.users.list()), users, 'the user table is unchanged');
  t.equal(pbx.kds.get('station.101.name'), '', 'the KDS is unchanged');
  t.equal(pbx.errors.list().length, 1, 'the error memory is unchanged');
  const login = new AdminTerminal(pbx).login('serv', SERV.password);
  t.match(login, /ERROR 507 .*action refused/, 'even a login is refused when A0-1 cannot be logged');
  t.equal(serv.cmd('get station.101.name').status, 'OK', 'reads still work: they are not logged');
  log.failing = false;
  t.equal(serv.cmd('set station.101.name Meier').status, 'OK', 'with the log back, changes work again');
  t.equal(log.read().at(-1)?.command, 'STN-NAME 101 "Meier"', 'and are logged');
});

t.test('the special functions are logged before they run: with the log failing, nothing is initialised or restarted', async (t) => {
  const log = new FailingLog();
  const { pbx, serv } = pbxWithUsers([], { log });
  t.equal(serv.cmd('bs clear-restart all').status, 'OK', 'the base stations report no restart');
  t.equal(serv.cmd('station service 101 out').status, 'OK', 'station 101 is out of service');
  log.failing = true;
  for (const [what, command] of [['country initialisation', 'special country FR'], ['reset connected options', 'special reset-options'], ['reset modules', 'special reset-modules']]) {
    t.match(serv.cmd(command).status, /^ERROR 507 protocol log unavailable: FMC write failed \(test\); action refused/, `${what}: refused with 507`);
  }
  t.equal(pbx.kds.get('c1.country'), 'DE', 'the country is not initialised');
  t.ok(pbx.maintenance.baseStations().every((b) => !b.restart), 'no base station was restarted');
  t.notOk(pbx.maintenance.stationInService('101'), 'the modules were not reset: station 101 is still out of service');
});
