import t from 'tap';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { ReceiverState } from '../../src/centre/centre-receiver.js';
import { enableSignaling, raise, startTeleserviceLab } from '../support/teleservice-lab.js';

t.test('centre busy during a reception: the second PBX gets BUSY and retries; one file per PBX, appended', async (t) => {
  const tl = await startTeleserviceLab({ pbxs: 2 });
  t.teardown(() => tl.close());
  const a = tl.pbx('HSIM-0001');
  const b = tl.pbx('HSIM-0002');
  const eventsB: SignalingEvent[] = [];
  b.signaling.onEvent((e) => eventsB.push(e));
  enableSignaling(a.pbx, 1);
  enableSignaling(b.pbx, 1);
  raise(a.pbx, 'B', 1, 'A first');
  tl.clock.advance(1000);
  raise(b.pbx, 'B', 2, 'B first');
  // A's call is in progress when B dials 1 s later.
  tl.clock.advance(11 * 60_000);
  t.match(eventsB.slice(0, 2), [{ type: 'attempt' }, { type: 'failed', failure: 'busy' }], 'B got BUSY');
  t.match(eventsB.at(-1), { type: 'sent' }, 'B got through on a retry');
  raise(a.pbx, 'B', 3, 'A second');
  tl.clock.advance(10 * 60_000);
  const store = tl.lab.centreReports;
  t.same((await store?.summaries())?.map((s) => s.systemId), ['HSIM-0001', 'HSIM-0002'], 'one entry per PBX');
  t.same((await store?.reports('HSIM-0001'))?.map((r) => r.report.records[0].text), ['A first', 'A second'], 'A\'s reports appended to A\'s file in order');
  t.same((await store?.reports('HSIM-0002'))?.map((r) => r.report.records[0].text), ['B first'], 'B in its own file');
  t.equal(tl.lab.centre?.receivers[0].state, ReceiverState.Idle, 'the centre is back in receive mode');
});
