import t from 'tap';
import { SessionState } from '../../firmware-sim/session.js';
import { AdminTerminal } from '../support/pbx-harness.js';
import { logLines, pbxWithUsers } from '../support/firmware-fixtures.js';

const HOUR = 3_600_000;

t.test('login A0-1, logout A0-2, dropped line A0-2, each failure A0-3', async (t) => {
  const { pbx, log, clock } = pbxWithUsers([{ name: 'ua', circle: 1, password: 'uapw' }]);
  const mark = log.lastSeq();
  const term = new AdminTerminal(pbx);
  term.login('ua', 'uapw');
  const out = term.cmd('logout');
  t.equal(out.status, 'OK', 'logout answers OK');
  t.match(out.text, /OK\r\nUser: $/, 'a local port asks for the next user');
  t.same(logLines(log, mark), ['ua B (3) A0-1', 'ua B (3) A0-2'], 'login and logout logged with user and circle');
  const dropped = new AdminTerminal(pbx);
  dropped.login('ua', 'uapw');
  const before = log.lastSeq();
  dropped.dte.close();
  t.equal(dropped.session.state, SessionState.Closed, 'session closed with the line');
  t.same(logLines(log, before), ['ua B (3) A0-2'], 'a dropped line logs the logout');
  const failing = new AdminTerminal(pbx);
  const m2 = log.lastSeq();
  t.match(failing.login('ua', 'nope'), /ERROR 401 login failed\r\nNext attempt in 1 s\./, 'a wrong password is refused');
  t.equal(failing.session.state, SessionState.User, 'the attempt ended: back to the user name');
  t.equal(failing.session.actor, undefined, 'nobody logged in');
  t.same(logLines(log, m2), ['ua - (3) A0-3'], 'logged as unauthorized attempt under the known name');
  const m3 = log.lastSeq();
  clock.advance(1000); // the port's login delay after one failure
  const other = new AdminTerminal(pbx);
  other.login('nobody', 'x');
  t.same(logLines(log, m3), ['(unknown) - (3) A0-3'], 'an unknown name is logged without echoing what was typed');
});

t.test('each logon shows creation date and last login, which then updates', async (t) => {
  const { pbx, clock } = pbxWithUsers([{ name: 'ua', circle: 1, password: 'uapw' }, { name: 'rev', circle: 2, password: 'revpw' }]);
  clock.advance(2 * HOUR);
  const first = new AdminTerminal(pbx).login('rev', 'revpw');
  t.match(first, /Account created 2026-01-05 08:00:00; last login never\./, 'first logon: created, never used');
  clock.advance(24 * HOUR + 90_000);
  const second = new AdminTerminal(pbx).login('rev', 'revpw');
  t.match(second, /Account created 2026-01-05 08:00:00; last login 2026-01-05 10:00:00\./, 'second logon shows the first');
  clock.advance(HOUR);
  t.match(new AdminTerminal(pbx).login('rev', 'revpw'), /last login 2026-01-06 10:01:30\./, 'and the third shows the second');
  const ua = new AdminTerminal(pbx);
  ua.login('ua', 'uapw');
  t.match(ua.cmd('user list').text, /rev +revision +2026-01-05 08:00:00 2026-01-06 11:01:30/, 'user list shows creation date and last login');
  new AdminTerminal(pbx).login('rev', 'wrong');
  clock.advance(1000); // the port's login delay after one failure
  t.match(new AdminTerminal(pbx).login('rev', 'revpw'), /last login 2026-01-06 11:01:30\./, 'a failed attempt does not count as a login');
});
