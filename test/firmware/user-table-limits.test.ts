import t from 'tap';
import { addUser } from '../support/add-user.js';
import { loginAs, logLines, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('at most 16 users, AMHOST and serv included', async (t) => {
  const { pbx } = pbxWithUsers([ONE_PER_CIRCLE[0]]);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  let n = pbx.users.list().length;
  t.equal(n, 3, 'serv, AMHOST, ua');
  while (n < 16) t.equal(addUser(ua, { name: `u${n++}`, circle: 2, password: 'pw' }), 'OK', `user ${n} of 16 created`);
  t.equal(pbx.users.list().length, 16, '16 users');
  t.match(addUser(ua, { name: 'one-more', circle: 2, password: 'pw' }), /^ERROR 409 the table is full: at most 16 users/, 'the 17th is refused clearly');
  t.equal(pbx.users.list().length, 16, 'still 16');
});

t.test('names and passwords: at most 16 characters of the optiset E set', async (t) => {
  const { pbx, serv } = pbxWithUsers([ONE_PER_CIRCLE[0]]);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  const before = pbx.users.list().length;
  t.match(ua.cmd('user add abcdefghijklmnopq 2').status, /^ERROR 422 user name is 17 characters long; at most 16/, '17-character name refused');
  t.match(ua.cmd('user add "5€" 2').status, /^ERROR 422 user name contains "€", which is not in the optiset E character set/, 'the euro sign is not in the set');
  t.match(ua.cmd('user add Zoë 2').status, /^ERROR 422 .*"ë".*optiset E/, 'ë is not in the set');
  t.match(addUser(ua, { name: 'Jürgen Müß', circle: 2, password: 'Öl&Wasser 1' }), /^OK/, 'umlauts, ß and spaces are in the set');
  ua.cmd('user add longpw 2');
  t.match(ua.cmd('abcdefghijklmnopq').status, /^ERROR 422 password is 17 characters long; at most 16/, '17-character password refused');
  ua.cmd('user add sixteen 2');
  ua.cmd('abcdefghijklmnop');
  t.equal(ua.cmd('abcdefghijklmnop').status, 'OK', '16 characters are fine');
  t.equal(pbx.users.list().length, before + 2, 'only the valid users exist');
  t.ok(loginAs(pbx, { name: 'Jürgen Müß', password: 'Öl&Wasser 1' }).session.actor, 'the umlaut user logs in');
  serv.cmd('logout');
  t.match(serv.login('abcdefghijklmnopqrstu', 'x'), /ERROR 422 user name: at most 16 characters/, 'an over-long name at the login prompt is refused');
});

t.test('AMHOST: no circle, password only by delete and re-create', async (t) => {
  const { pbx, log, clock } = pbxWithUsers([ONE_PER_CIRCLE[0]]);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  t.equal(pbx.users.find('AMHOST')?.circle, undefined, 'AMHOST has no circle');
  t.match(ua.cmd('user add AMHOST 2').status, /^ERROR 422 AMHOST is created without a circle/, 'AMHOST with a circle refused');
  const amhost = loginAs(pbx, { name: 'AMHOST', password: 'amhost' });
  t.equal(amhost.session.actor?.user, 'amhost', 'AMHOST logs in as "amhost"');
  t.match(amhost.cmd('passwd').status, /^ERROR 403 the AMHOST password changes only by deleting and re-creating AMHOST/, 'AMHOST cannot passwd');
  t.match(amhost.cmd('set c1.system-name X').status, /^ERROR 403/, 'AMHOST changes no KDS items beyond the plus products\' ones');
  amhost.cmd('logout');
  const mark = log.lastSeq();
  t.equal(ua.cmd('user delete AMHOST').status, 'OK', 'AMHOST deleted');
  t.equal(addUser(ua, { name: 'amhost', circle: undefined, password: 'neu-amhost' }), 'OK', 'and re-created without circle');
  t.same(logLines(log, mark), ['ua B (8) D2-2 AMHOST', 'ua B (8) D2-1 AMHOST -'], 'delete and re-create are logged');
  t.equal(loginAs(pbx, { name: 'AMHOST', password: 'amhost' }).session.actor, undefined, 'the old password is gone');
  clock.advance(1000); // the port's login delay after that failure
  t.equal(loginAs(pbx, { name: 'AMHOST', password: 'neu-amhost' }).session.actor?.user, 'amhost', 'the new one works');
  t.same(logLines(log).slice(-2), ['amhost - (3) A0-3', 'amhost - (3) A0-1'], 'AMHOST logins are logged as "amhost" (seed: "Benutzername ist \"amhost\""): the failed one, then the login');
});

t.test('the last user administrator cannot be deleted by others leaving none', async (t) => {
  const { pbx } = pbxWithUsers([ONE_PER_CIRCLE[0], ONE_PER_CIRCLE[1]]);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  t.match(ua.cmd('user delete ua').status, /^ERROR 409 deleting ua would leave nobody who can administer users/, 'while rev exists, ua is the last one able to administer users');
  t.ok(pbx.users.find('ua'), 'ua still exists');
  t.equal(ua.cmd('user delete rev').status, 'OK', 'rev deleted');
  t.match(ua.cmd('user delete ua').text, /user ua deleted; logging out\r\nOK\r\n/, 'with only System maintenance left, ua may leave');
  t.equal(ua.session.actor, undefined, 'and is logged out');
  const serv = loginAs(pbx, { name: 'serv', password: 'servpw' });
  t.match(serv.cmd('user delete serv').status, /^ERROR 409 deleting serv would leave nobody/, 'the sole System maintenance user cannot delete itself');
  t.ok(pbx.users.find('serv'), 'serv still exists');
});
