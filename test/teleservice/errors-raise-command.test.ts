import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { ONE_PER_CIRCLE, SERV, loginAs, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('errors raise: System maintenance enters an error, logged before it acts', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  const r = serv.cmd('errors raise B 0x0210 "Trunk 3 no dial tone"');
  t.equal(r.status, 'OK', 'accepted');
  t.match(pbx.errors.list(), [{ cls: 'B', code: 0x210, text: 'Trunk 3 no dial tone', pseudo: false }], 'in the Error History');
  t.ok(pbx.log.read().some((e) => e.user === SERV.name && e.format === 6 && e.command === 'errors raise B 0x0210 Trunk 3 no dial tone'), 'logged as a maintenance command');
});

t.test('errors raise: bad input gets a clear error, nothing is entered', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  for (const [line, code] of [['errors raise B', 400], ['errors raise D 1 x', 422], ['errors raise B 70000 x', 422], ['errors raise B 0xZZ x', 422], [`errors raise B 1 ${'x'.repeat(81)}`, 422]] as const) {
    t.match(serv.cmd(line).status, new RegExp(`^ERROR ${code}`), `${line.slice(0, 30)} → ${code}`);
  }
  t.equal(pbx.errors.list().length, 0, 'nothing entered');
});

t.test('errors raise needs the maintenance right (Revision may not)', async (t) => {
  const { pbx } = pbxWithUsers(ONE_PER_CIRCLE.slice(0, 2));
  const rev = loginAs(pbx, { name: 'rev', password: 'revpw' });
  t.equal(rev.session.actor?.circle, Circle.Revision, 'logged in as Revision');
  const r = rev.cmd('errors raise B 1 test');
  t.match(r.status, /^ERROR 403/, `refused for Revision (${r.text.trim()})`);
  t.equal(pbx.errors.list().length, 0, 'nothing entered');
});
