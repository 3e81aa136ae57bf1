import t from 'tap';
import { SessionState } from '../../firmware-sim/session.js';
import { firstLogin, makePbx, AdminTerminal } from '../support/pbx-harness.js';
import { logLines, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('repeated failures are delayed 1, 2, 4 … s; input during the delay is refused', async (t) => {
  const { pbx, clock, log } = pbxWithUsers();
  const term = new AdminTerminal(pbx);
  for (const [i, delay] of [1, 2, 4, 8].entries()) {
    t.match(term.login('serv', 'bad'), new RegExp(`ERROR 401 login failed\\r\\nNext attempt in ${delay} s\\.`), `failure ${i + 1}: next attempt in ${delay} s`);
    const start = clock.now();
    term.send('serv\r');
    t.match(term.take(), /^ERROR 429 too many failed logins; wait \d+ s\r\n$/, `failure ${i + 1}: input at once refused with 429`);
    clock.advance(delay * 1000 - 1);
    term.send('serv\r');
    t.match(term.take(), /ERROR 429 too many failed logins; wait 1 s/, `failure ${i + 1}: still refused 1 ms before the end`);
    t.equal(term.session.state, SessionState.User, 'still waiting for a user name');
    clock.advance(1);
    t.equal(clock.now() - start, delay * 1000, 'exactly the delay passed');
    t.match(term.take(), /User: $/, `failure ${i + 1}: the prompt comes back after ${delay} s`);
  }
  const failures = logLines(log).filter((l) => l.endsWith('A0-3')).length;
  t.equal(failures, 4, 'four A0-3 entries; refused input during the delay is not an attempt');
  t.match(term.login('serv', 'servpw'), /Welcome serv/, 'after the delay the right password is accepted');
  term.cmd('logout');
  t.match(term.login('serv', 'bad'), /Next attempt in 1 s\./, 'a successful login resets the delay');
});

t.test('the delay grows to a cap', async (t) => {
  const { pbx, clock } = pbxWithUsers();
  const term = new AdminTerminal(pbx);
  let last = '';
  for (let i = 0; i < 9; i++) {
    last = term.login('serv', 'bad');
    clock.advance(60_000);
  }
  t.match(last, /Next attempt in 32 s\./, 'capped at 32 s');
});

t.test('a modem line hangs up after 3 failed logins', async (t) => {
  const { pbx, clock, log } = pbxWithUsers();
  const term = new AdminTerminal(pbx, { channel: 'imod', port: 'IMOD 791' });
  let closed = false;
  term.dte.onClose(() => {
    closed = true;
  });
  term.login('serv', 'bad1');
  clock.advance(1000);
  term.login('serv', 'bad2');
  clock.advance(2000);
  t.notOk(closed, 'still connected after 2 failures');
  const third = term.login('serv', 'bad3');
  t.match(third, /ERROR 401 login failed\r\nBYE too many failed logins/, 'third failure: BYE');
  t.ok(closed, 'the line is hung up');
  t.equal(term.session.state, SessionState.Closed, 'session closed');
  t.equal(logLines(log).filter((l) => l.endsWith('A0-3')).length, 3, 'three A0-3 entries');
  const local = new AdminTerminal(pbx);
  for (let i = 0; i < 3; i++) {
    local.login('serv', 'bad');
    clock.advance(10_000);
  }
  t.not(local.session.state, SessionState.Closed, 'a local port is not hung up, only slowed down');
});

t.test('the delay belongs to the port: a new connection does not reset it', async (t) => {
  const { pbx, clock } = makePbx();
  const first = new AdminTerminal(pbx);
  firstLogin(first);
  first.cmd('logout');
  for (let i = 1; i <= 3; i++) {
    const term = new AdminTerminal(pbx);
    term.login('serv', 'wrong');
    clock.advance(2 ** (i - 1) * 1000);
  }
  const again = new AdminTerminal(pbx);
  t.match(again.login('serv', 'wrong'), /Next attempt in 8 s/, 'fourth failure on a fresh connection waits 8 s, not 1 s');
  const next = new AdminTerminal(pbx);
  t.match(next.login('serv', 'servpw'), /ERROR 429/, 'another fresh connection is refused during the delay');
  clock.advance(8000);
  t.match(new AdminTerminal(pbx).login('serv', 'servpw'), /Welcome serv/, 'after the delay the right password gets in');
  const other = new AdminTerminal(pbx, { port: 'UP0E-1', stationPort: 'UP0E-1' });
  t.notMatch(other.login('serv', 'wrong'), /ERROR 429/, 'another access point is not slowed down');
});
