import t from 'tap';
import { entryHash } from '../../firmware-sim/archive-transaction.js';
import { REVISOR_ALARM_CODE } from '../../firmware-sim/error-history.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { framedEntries, logChanges, revisorPbx } from '../support/revisor-fixtures.js';

t.test('archiving below 80 % clears the Revisor Alarm; the next crossing raises it again', async (t) => {
  const log = new MemoryProtocolLog({ capacity: 60 });
  const { pbx, store, rev } = revisorPbx({ log });
  const alarms = (): number => pbx.errors.list('A').filter((e) => e.code === REVISOR_ALARM_CODE).length;
  while (log.fill() <= 0.8) logChanges(pbx, 1);
  t.equal(alarms(), 1, 'the alarm was raised above 80 %');
  t.equal(store.load()?.revisorAlarm, true, 'and is stored as active');
  const info = rev.cmd('log archive begin').lines;
  const chunks = Number(info.find((l) => l.startsWith('chunks: '))!.slice(8));
  const entries = Array.from({ length: chunks }, () => framedEntries(rev.cmd('log archive next').lines)).flat();
  const last = entries.at(-1)!;
  t.equal(rev.cmd(`log archive commit ${last.seq} ${entryHash(last)}`).status, 'OK', 'archived');
  t.ok(log.fill() < 0.8, `the fill dropped to ${Math.round(log.fill() * 100)} %`);
  t.equal(store.load()?.revisorAlarm, false, 'the alarm is cleared');
  rev.cmd('logout');
  while (log.fill() <= 0.8) logChanges(pbx, 1);
  t.equal(alarms(), 2, 'the next crossing raises a new class-A error');
});
