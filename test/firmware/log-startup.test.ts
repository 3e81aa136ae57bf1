import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { MemoryStateStore } from '../../firmware-sim/state-store.js';
import { makePbx } from '../support/pbx-harness.js';
import { logLines } from '../support/firmware-fixtures.js';

t.test('every startup, the first included, logs A2-3 with the APS version', async (t) => {
  const log = new MemoryProtocolLog();
  const store = new MemoryStateStore();
  const clock = new VirtualClock();
  makePbx({ log, store, clock });
  t.same(logLines(log), ['system - (5) A2-3-"HE300M.00.001.01"'], 'first startup logged');
  clock.advance(60_000);
  const again = makePbx({ log, store, clock });
  t.same(logLines(log), ['system - (5) A2-3-"HE300M.00.001.01"', 'system - (5) A2-3-"HE300M.00.001.01"'], 'restart with the same state logs again');
  t.equal(log.read()[1].time - log.read()[0].time, 60_000, 'with the restart time');
  t.equal(again.pbx.apsVersion, 'HE300M.00.001.01', 'the saved APS version is kept');
});
