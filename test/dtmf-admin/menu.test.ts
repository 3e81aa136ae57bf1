import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { MenuState } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { ADMIN, dtmfPbx, ENABLE_PASSWORD, TargetRig } from '../support/dtmf-admin-rig.js';
import { logLines } from '../support/firmware-fixtures.js';

function loggedIn(name: string = ADMIN.name, password: string = ADMIN.password) {
  const target = dtmfPbx();
  const rig = new TargetRig(target.pbx);
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  const mark = target.log.lastSeq();
  rig.send(multiTapKeys(name) + multiTapKeys(password));
  return { ...target, rig, mark };
}

t.test('login with multi-tap name and password: A0-1 with user and circle, main menu', async (t) => {
  const { rig, log, mark } = loggedIn();
  t.equal(rig.conn.menu?.state, MenuState.Main, 'main menu');
  t.same(logLines(log, mark), ['SERV S (3) A0-1'], 'login logged with user and circle');
  t.match(rig.shown, /^Main SERV \(S\) \| 1Stn 2KDS 3Err 0Logout$/, 'main menu on the display');
  t.ok(rig.displays.some(([, l2]) => /^Password: \*+/.test(l2)), 'the password was shown only as stars');
  t.notOk(rig.displays.some(([a, b]) => (a + b).includes(ADMIN.password)), 'the password never appears on the display');
});

t.test('wrong login: A0-3, error tone, name asked again; the third failure clears the call', async (t) => {
  const { rig, log, mark } = loggedIn(ADMIN.name, '9999');
  t.equal(rig.conn.menu?.state, MenuState.LoginName, 'back to the name');
  t.equal(rig.lastTone(), 'error', 'error tone');
  t.same(logLines(log, mark), ['SERV - (3) A0-3'], 'A0-3 under the known name');
  rig.send(multiTapKeys('NOBODY') + multiTapKeys('1') + multiTapKeys('SERV') + multiTapKeys('1'));
  t.same(logLines(log, mark).slice(1), ['(unknown) - (3) A0-3', 'SERV - (3) A0-3'], 'unknown names are not logged as typed');
  t.same(rig.ended, ['too many failed logins'], 'connection cleared');
});

t.test('station name changed by DTMF only: logged as format 1 with user and circle before it is made', async (t) => {
  const { pbx, rig, log, mark } = loggedIn();
  rig.send('1');
  t.match(rig.shown, /Station: _/, 'asks the station number');
  rig.send('101#');
  t.equal(rig.conn.menu?.state, MenuState.StationName, 'name entry');
  rig.send(multiTapKeys('Meier 2'));
  t.equal(pbx.kds.get('station.101.name'), 'Meier 2', 'name stored');
  t.same(logLines(log, mark).slice(1), ['SERV S (1) STN-NAME 101 "Meier 2"'], 'format 1 entry with user, circle and station');
  t.equal(rig.lastTone(), 'ok', 'confirmation beep');
  t.match(rig.shown, /Station name: number\? \| saved/, 'back at the station number with the outcome');
  rig.send('999#');
  t.match(rig.shown, /no station 999/, 'unknown station refused');
  t.equal(rig.lastTone(), 'error', 'with the error tone');
  rig.send('*');
  t.equal(rig.conn.menu?.state, MenuState.Main, '* on an empty number goes back to the main menu');
});

t.test('KDS items: shown, changed with digits (1 = yes, 0 = no), each change logged', async (t) => {
  const { pbx, rig, log, mark } = loggedIn();
  rig.send('23');
  t.match(rig.shown, /^Error signaling \| = no/, 'current value shown');
  rig.send('#1#');
  t.equal(pbx.kds.get('signaling.enabled'), 'yes', 'flag set');
  rig.send('*4#7#');
  t.equal(pbx.kds.get('signaling.interval'), '7', 'interval set');
  rig.send('#99#');
  t.equal(pbx.kds.get('signaling.interval'), '15', 'out of range becomes the default 15');
  t.match(rig.shown, /saved \(default\)/, 'the display says the default was set');
  rig.send('*5#500#');
  t.equal(pbx.kds.get('c2.ring-timeout'), '30', 'invalid ring timeout refused, value kept');
  t.equal(rig.lastTone(), 'error', 'error tone for the refused value');
  t.match(rig.shown, /5–180/, 'the allowed range is shown');
  t.same(logLines(log, mark).slice(1), [
    'SERV S (1) ESIG-FLAG "yes"',
    'SERV S (1) ESIG-INT "7"',
    'SERV S (1) ESIG-INT "15"',
  ], 'one format-1 entry per change, none for the refused one');
  rig.send('*');
  t.equal(rig.conn.menu?.state, MenuState.KdsList, '* goes back one level');
  rig.send('9');
  t.equal(rig.lastTone(), 'error', 'a key that is no item is refused');
  rig.send('*');
  t.equal(rig.conn.menu?.state, MenuState.Main, 'and back to the main menu');
});

t.test('error memory view: B1-1 logged, entries paged with #', async (t) => {
  const { pbx, rig, log, mark } = loggedIn();
  for (const code of [0x101, 0x202]) pbx.errors.add({ time: 0, cls: 'B', code, location: 'SLOT3', text: `fault ${code}`, pseudo: false });
  rig.send('3');
  t.match(rig.shown, /^Err 1\/2 B 0101 SLOT3 \| fault 257$/, 'first entry');
  rig.send('#');
  t.match(rig.shown, /^Err 2\/2 B 0202/, 'second entry');
  t.same(logLines(log, mark).slice(1), ['SERV S (6) B1-1'], 'reading the error memory is logged as B1-1');
});

t.test('a circle without the right gets "no right" and nothing changes', async (t) => {
  const target = dtmfPbx();
  const made = target.pbx.users.add('REV', Circle.Revision, '2222', 0);
  t.ok(made.ok, 'revision user added');
  const rig = new TargetRig(target.pbx);
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#${multiTapKeys('REV')}${multiTapKeys('2222')}`);
  rig.send(`1100#${multiTapKeys('X')}`);
  t.equal(target.pbx.kds.get('station.100.name'), '', 'name unchanged');
  t.match(rig.shown, /no right/, 'refusal shown');
  t.equal(rig.lastTone(), 'error', 'error tone');
});

t.test('logout: A0-2, confirmation beep, the connection ends; a dropped call logs out too', async (t) => {
  const { rig, log, mark } = loggedIn();
  rig.send('0');
  t.same(logLines(log, mark).slice(1), ['SERV S (3) A0-2'], 'logout logged');
  t.same(rig.ended, ['logged out'], 'call cleared');
  t.match(rig.shown, /Logged out/, 'display');
  const other = loggedIn();
  other.rig.conn.close();
  t.same(logLines(other.log, other.mark).slice(1), ['SERV S (3) A0-2'], 'a dropped call logs the user out');
});

t.test('a customer (Administration) changing a name by DTMF is still logged as Assistant T, format 1', async (t) => {
  const target = dtmfPbx();
  target.pbx.users.add('KUNDE', Circle.Administration, '4711', target.pbx.clock.now());
  const rig = new TargetRig(target.pbx);
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  const mark = target.log.lastSeq();
  rig.send(multiTapKeys('KUNDE') + multiTapKeys('4711'));
  rig.send('1');
  rig.send('102#');
  rig.send(multiTapKeys('Lager'));
  t.equal(target.pbx.kds.get('station.102.name'), 'Lager', 'name stored');
  t.same(logLines(target.log, mark), ['KUNDE A (3) A0-1', 'KUNDE A (1) STN-NAME 102 "Lager"'], 'format 1 (Assistant T), not 2, with user and circle A');
});
