import t from 'tap';
import { Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { loginAs, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';

const REVISOR_COMMANDS = ['log fetch', 'log archive begin', 'log archive next', 'log archive commit 1 ' + 'a'.repeat(64), 'log archive abort'];

t.test('only Revision fetches and archives once other circles have users', async (t) => {
  const { pbx, serv } = pbxWithUsers(ONE_PER_CIRCLE);
  for (const user of [...ONE_PER_CIRCLE, { name: 'serv', circle: Circle.SystemMaintenance, password: 'servpw' }]) {
    const term = user.name === 'serv' ? serv : loginAs(pbx, user);
    const name = CIRCLE_NAME[user.circle!];
    for (const cmd of REVISOR_COMMANDS) {
      const status = term.cmd(cmd).status;
      if (user.circle === Circle.Revision) t.notMatch(status, /^ERROR 403/, `${name} may run "${cmd.slice(0, 18)}"`);
      else t.match(status, /^ERROR 403 missing right: protocol log (read|archiving) \(revision\)$/, `${name} may not run "${cmd.slice(0, 18)}"`);
    }
  }
});

t.test('System maintenance fetches and archives while it holds all rights', async (t) => {
  const { serv } = pbxWithUsers();
  t.equal(serv.cmd('log fetch').status, 'OK', 'fetch allowed while no other circle has users');
  t.equal(serv.cmd('log archive begin').status, 'OK', 'archive allowed while no other circle has users');
  serv.cmd('user add ua user-administration');
  serv.cmd('uapw');
  t.equal(serv.cmd('uapw').status, 'OK', 'a user administrator is created');
  t.match(serv.cmd('log archive next').status, /^ERROR 403/, 'the open run is refused once another circle has users');
  t.match(serv.cmd('log fetch').status, /^ERROR 403/, 'and so is fetching');
});
