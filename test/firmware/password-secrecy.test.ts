import t from 'tap';
import { FRAME_HEADER } from '../../firmware-sim/armored-frame.js';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { AdminTerminal } from '../support/pbx-harness.js';
import { logLines, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/** Everything a terminal ever received, from the moment of the call. */
function recordAll(term: AdminTerminal): () => string {
  let all = '';
  term.dte.onData((d) => {
    all += Buffer.from(d).toString('utf8');
  });
  return () => all;
}

t.test('passwords, PIN and codes never appear in output, log or stored state', async (t) => {
  const SECRETS = ['Geheim-42', 'Neu!Pass7', 'Rev1sor#x', '47119', '802613', '551177'];
  const { pbx, log, store, serv } = pbxWithUsers();
  const term = new AdminTerminal(pbx, { echo: true });
  const seen = recordAll(term);
  const servSeen = recordAll(serv);
  term.login('serv', SERV.password);
  term.cmd('pin set');
  term.cmd(SECRETS[3]);
  t.equal(term.cmd(SECRETS[3]).status, 'OK', 'PIN set');
  t.match(term.cmd('get pin').text, /pin = <set>\r\n/, 'get pin shows only that a PIN is set');
  term.cmd('callback code 2');
  term.cmd(SECRETS[4]);
  t.equal(term.cmd(SECRETS[4]).status, 'OK', 'callback code set');
  term.cmd('dtmf password');
  term.cmd(SECRETS[5]);
  t.equal(term.cmd(SECRETS[5]).status, 'OK', 'DTMF password set');
  term.cmd('user add ua 1');
  term.cmd(SECRETS[0]);
  t.equal(term.cmd(SECRETS[0]).status, 'OK', 'ua created');
  const ua = new AdminTerminal(pbx, { echo: true });
  const uaSeen = recordAll(ua);
  ua.login('ua', SECRETS[0]);
  t.ok(ua.session.actor, 'ua logged in');
  ua.cmd('user add rev 2');
  ua.cmd(SECRETS[2]);
  ua.cmd(SECRETS[2]);
  ua.cmd('passwd');
  ua.cmd(SECRETS[0]);
  ua.cmd(SECRETS[1]);
  t.equal(ua.cmd(SECRETS[1]).status, 'OK', 'ua changed its password');
  ua.cmd('user list');
  ua.cmd('logout');
  // People type passwords into the name field (their terminal echoes it): it must not be logged.
  new AdminTerminal(pbx).login(SECRETS[1], 'whatever');
  term.cmd('callback show');
  const frame = term.cmd('kds read').lines.filter((l) => /^[A-Za-z0-9+/=]+$/.test(l)).join('');
  const image = Buffer.from(frame, 'base64').subarray(FRAME_HEADER, -4).toString('utf8');
  t.match(image, /"pin":"scrypt\$/, 'the KDS image carries the PIN only as a hash');
  t.match(seen(), /Password: \*+\r\n/, 'the password was echoed as stars');
  const places: Record<string, string> = {
    'terminal output': seen() + uaSeen() + servSeen(),
    'protocol log': log.read().map(formatEntry).join('\n'),
    'stored state': JSON.stringify(store.load()),
    'KDS image': image,
  };
  for (const [where, text] of Object.entries(places)) {
    for (const s of SECRETS) t.notOk(text.includes(s), `${where} does not contain ${s.replace(/./g, '•')} (${SECRETS.indexOf(s)})`);
  }
  t.match(logLines(log).join('\n'), /PIN \*\*\*\*\*/, 'the PIN change is logged as *****');
  t.match(logLines(log).join('\n'), /CB-CODE 2 \*\*\*\*\*/, 'the callback code change is logged as ***** with its index');
  t.match(term.cmd('get pin').status, /^ERROR 403/, 'serv lost the confidential PIN item after ua was created');
});

t.test('only the owner changes a password, after giving the old one', async (t) => {
  const { pbx, log, clock } = pbxWithUsers([{ name: 'ua', circle: 1, password: 'uapw' }]);
  const ua = new AdminTerminal(pbx);
  ua.login('ua', 'uapw');
  t.match(ua.cmd('passwd serv').status, /^ERROR 400 usage: passwd/, 'passwd takes no user name: nobody changes another user\'s password');
  t.match(ua.cmd('passwd').text, /Old password: $/, 'passwd asks the old password');
  const mark = log.lastSeq();
  t.match(ua.cmd('wrong').status, /^ERROR 401 old password wrong/, 'a wrong old password is refused');
  t.same(logLines(log, mark), ['ua B (3) A0-3'], 'and logged as unauthorized');
  ua.cmd('passwd');
  ua.cmd('uapw');
  ua.cmd('newpw1');
  t.match(ua.cmd('newpw2').status, /^ERROR 422 the passwords differ/, 'the new password must be typed twice alike');
  ua.cmd('passwd');
  ua.cmd('uapw');
  ua.cmd('newpw1');
  t.equal(ua.cmd('newpw1').status, 'OK', 'password changed');
  t.equal(logLines(log).at(-1), 'ua B (8) D3-1 ua', 'logged as D3-1 with the user');
  ua.cmd('logout');
  t.equal(new AdminTerminal(pbx).login('ua', 'uapw').includes('ERROR 401'), true, 'the old password no longer works');
  clock.advance(1000); // the port's login delay after that failure
  t.match(new AdminTerminal(pbx).login('ua', 'newpw1'), /Welcome ua/, 'the new one does');
  t.notOk(pbx.users.list().some((u) => 'password' in u), 'the user table holds no plaintext field');
});

t.test('Release 1.0: an empty user name means the single legacy password', async (t) => {
  const { pbx, log } = pbxWithUsers();
  const term = new AdminTerminal(pbx);
  t.match(term.login('', '31994'), /Welcome \(Release 1\.0 password, system-maintenance\)/, 'empty name + legacy password logs in');
  t.equal(logLines(log).at(-1), 'REL1.0 S (3) A0-1', 'logged as REL1.0 login');
  t.match(term.cmd('passwd').status, /^ERROR 403 the Release 1.0 password cannot be changed/, 'the legacy password cannot be changed in a session');
  term.cmd('logout');
  t.match(term.login('', 'servpw'), /ERROR 401 login failed/, 'a user password does not work as the legacy password');
});
