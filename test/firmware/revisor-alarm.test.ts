import t from 'tap';
import { REVISOR_ALARM_CODE } from '../../firmware-sim/error-history.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('class-A "Revisor Alarm" above 80 % fill, once per crossing', async (t) => {
  const log = new MemoryProtocolLog({ capacity: 20 });
  const { pbx, serv } = pbxWithUsers([], { log });
  const alarms = (): number => pbx.errors.list('A').filter((e) => e.code === REVISOR_ALARM_CODE).length;
  let n = 0;
  while (log.fill() <= 0.8) {
    t.notMatch(serv.cmd('show display').text, /Revisor Alarm/, `no alarm at ${Math.round(log.fill() * 100)} %`);
    serv.cmd(`set station.101.name n${n++}`);
  }
  t.equal(alarms(), 1, 'one class-A error when the fill passes 80 %');
  t.match(serv.cmd('show display').lines[1], /^Revisor Alarm/, 'the display shows "Revisor Alarm"');
  for (let i = 0; i < 10; i++) serv.cmd(`set station.101.name m${i}`);
  t.equal(alarms(), 1, 'still one while above 80 % (and while the oldest entries are overwritten)');
  t.equal(pbx.errors.list('B').length, 0, 'not a class-B error: it is not signaled');
  log.deleteUpTo(log.lastSeq() - 2, { seq: log.lastSeq() - 2, hash: '' });
  pbx.checkLogFill();
  serv.cmd('errors delete');
  t.notMatch(serv.cmd('show display').text, /Revisor Alarm/, 'after archiving and clearing the error memory the display is normal');
  while (log.fill() <= 0.8) serv.cmd(`set station.101.name k${n++}`);
  t.equal(alarms(), 1, 'the next crossing raises it again (one new entry after the delete)');
  t.match(serv.cmd('show display').lines[1], /^Revisor Alarm/, 'and shows it again');
});
