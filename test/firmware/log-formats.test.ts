import t from 'tap';
import { addUser } from '../support/add-user.js';
import { loginAs, logLines, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('reads are not logged', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  const mark = log.lastSeq();
  for (const c of ['get station.101.name', 'kds show', 'kds show station.101', 'user list', 'log show', 'kds read', 'show rights', 'show system', 'show display', 'callback show', 'signaling show', 'help']) {
    t.equal(serv.cmd(c).status, 'OK', `${c} works`);
  }
  t.same(logLines(log, mark), [], 'none of them logged');
  t.equal(pbx.kdsIsDefault, true, 'and nothing changed');
});

t.test('every change logged one to one with its address, format by circle', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  let mark = log.lastSeq();
  serv.cmd('set station.101.name Meier');
  serv.cmd('set station.105.name Schulz');
  serv.cmd('set station.105.name Schulz');
  serv.cmd('set speeddial.station.102.3 0891234');
  serv.cmd('callback number 4 0301234');
  serv.cmd('set c2.ring-timeout 40');
  t.same(logLines(log, mark), [
    'serv S (1) STN-NAME 101 "Meier"',
    'serv S (1) STN-NAME 105 "Schulz"',
    'serv S (1) STN-NAME 105 "Schulz"',
    'serv S (1) SPD-IND 102 3 "0891234"',
    'serv S (1) CB-NUM 4 "0301234"',
    'serv S (1) C2-01 "40"',
  ], 'System maintenance changes: format 1 (Assistant T), one entry per command, station and index addressed');
  mark = log.lastSeq();
  serv.cmd('errors show');
  serv.cmd('errors delete');
  t.same(logLines(log, mark), ['serv S (6) B1-1', 'serv S (6) B1-2'], 'error memory read and delete: format 6');
  mark = log.lastSeq();
  addUser(serv, ONE_PER_CIRCLE[0]);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  addUser(ua, ONE_PER_CIRCLE[2]);
  addUser(ua, ONE_PER_CIRCLE[3]);
  ua.cmd('user delete gebuehr');
  ua.cmd('passwd');
  ua.cmd('uapw');
  ua.cmd('uapw2');
  ua.cmd('uapw2');
  t.same(logLines(log, mark), [
    'serv S (8) D2-1 ua user-administration',
    'ua B (3) A0-1',
    'ua B (8) D2-1 pnkm administration',
    'ua B (8) D2-1 gebuehr charge-accounting',
    'ua B (8) D2-2 gebuehr',
    'ua B (8) D3-1 ua',
  ], 'users: D2-1, D2-2, D3-1 (format 8), sessions format 3');
  mark = log.lastSeq();
  const pnkm = loginAs(pbx, ONE_PER_CIRCLE[2]);
  pnkm.cmd('set station.103.name Kunde');
  pnkm.cmd('set namekey.100.2 0711');
  pnkm.cmd('set charge.currency CHF');
  pnkm.cmd('logout');
  t.same(logLines(log, mark), [
    'pnkm A (3) A0-1',
    'pnkm A (2) STN-NAME 103 "Kunde"',
    'pnkm A (2) NAME-KEY 100 2 "0711"',
    'pnkm A (2) CHG-CUR "CHF"',
    'pnkm A (3) A0-2',
  ], 'Administration (customer) changes: format 2 (Assistant TC); charges fall to it without Charge accounting');
  mark = log.lastSeq();
  serv.cmd('set station.101.name X');
  t.match(serv.cmd('set dev.watchdog no').status, /^ERROR 403/, 'a refused change');
  t.match(serv.cmd('set c2.ring-timeout 999').status, /^ERROR 422/, 'an invalid change');
  t.same(logLines(log, mark), ['serv S (1) STN-NAME 101 "X"'], 'refused and invalid changes are not logged');
});
