import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import type { FormatId } from '../../firmware-sim/protocol-log.js';

/** Seed (003): "Wird ein Füllstand von circa 80 Prozent überschritten, wird ein Klasse-A Fehler ausgelöst". */
const SEED_ALARM_FILL = 0.8;

const rec = (i: number) => ({ time: 0, user: 'serv', circle: 'S', format: 2 as FormatId, command: `AMO-SBCSU ${i} ${'z'.repeat(30)}` });

t.test('the revisor alarm fires once per crossing of 80 %, and again at mount', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash();
  const alarms: number[] = [];
  const log = FlashProtocolLog.mount(card, { clock, onRevisorAlarm: (f) => alarms.push(f) });
  let i = 0;
  let silentBelow = true;
  while (log.fill() < SEED_ALARM_FILL) {
    if (alarms.length > 0) silentBelow = false;
    log.append(rec(i++));
  }
  t.ok(silentBelow, 'no alarm while the fill was below 80 %');
  t.equal(alarms.length, 1, 'alarm fired when the fill reached 80 %');
  t.ok(alarms[0] >= SEED_ALARM_FILL && alarms[0] < 0.81, `fired at ${alarms[0]}`);
  for (let k = 0; k < 500; k++) log.append(rec(i++));
  t.equal(alarms.length, 1, 'still once while above 80 %');
  t.ok(log.revisorAlarm, 'alarm state active');

  const remountAlarms: number[] = [];
  FlashProtocolLog.mount(card, { clock, onRevisorAlarm: (f) => remountAlarms.push(f) });
  t.equal(remountAlarms.length, 1, 'recomputed at mount: fires once for a full log');

  log.deleteUpTo(log.lastSeq(), { seq: log.lastSeq(), hash: 'cd'.repeat(32) });
  t.notOk(log.revisorAlarm, 'archiving everything clears the alarm');
  t.ok(log.fill() < 0.1, `fill after archiving is ${log.fill()}`);
  while (log.fill() < SEED_ALARM_FILL) log.append(rec(i++));
  t.equal(alarms.length, 2, 'a second crossing fires again');
});
