import t from 'tap';
import { SessionState } from '../../firmware-sim/session.js';
import { logLines, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('unknown commands, bad arguments and unterminated quotes', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  t.match(serv.cmd('frobnicate now').status, /^ERROR 404 unknown command "frobnicate now"; type help/, 'unknown command: 404');
  t.match(serv.cmd('kds').status, /^ERROR 404 unknown command "kds"/, 'a partial command: 404');
  t.match(serv.cmd('get no.such.item').status, /^ERROR 404 no KDS item no.such.item/, 'unknown item: 404');
  t.match(serv.cmd('set station.101.name "Meier Hans').status, /^ERROR 400 unterminated quote/, 'unterminated quote: 400');
  t.equal(pbx.kds.get('station.101.name'), '', 'nothing changed by it');
  t.match(serv.cmd('set station.101.name').status, /^ERROR 400 usage: set <item> <value>/, 'missing value: usage');
  t.match(serv.cmd('log show from x').status, /^ERROR 400 "from" needs a number/, 'bad option value');
  t.equal(serv.cmd('set station.101.name "Meier \\"Hansi\\""').status, 'OK', 'escaped quotes work');
  t.equal(pbx.kds.get('station.101.name'), 'Meier "Hansi"', 'stored with the quotes');
  t.equal(serv.cmd('   ').status, '', 'a blank line just shows the prompt again');
});

t.test('Ctrl-C ends a dialogue without acting', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  const mark = log.lastSeq();
  serv.cmd('user add ua 1');
  serv.take();
  serv.send('ua\x03');
  t.match(serv.take(), /ERROR 499 interrupted/, 'Ctrl-C in the password dialogue: 499');
  t.equal(serv.session.state, SessionState.Command, 'back at the command prompt');
  t.notOk(pbx.users.find('ua'), 'no user created');
  serv.cmd('pin set');
  serv.cmd('12345');
  serv.send('\x03');
  t.equal(pbx.kds.get('pin'), '', 'no PIN set');
  t.same(logLines(log, mark), [], 'nothing logged');
  t.equal(serv.cmd('show system').status, 'OK', 'commands work again');
  serv.send('half a line\x03');
  t.equal(serv.cmd('show display').status, 'OK', 'Ctrl-C on the command line discards the partial line');
  serv.cmd('logout');
  serv.send('serv\r');
  serv.send('\x03');
  t.equal(serv.session.state, SessionState.Password, 'Ctrl-C at Password: keeps waiting (nothing to abandon but the line)');
});
