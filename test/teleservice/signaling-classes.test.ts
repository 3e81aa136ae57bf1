import t from 'tap';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { enableSignaling, raise, record, startTeleserviceLab } from '../support/teleservice-lab.js';

t.test('only class B is signaled: A and C never cause a call and stay in the history', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  raise(pbx, 'A', 0x100, 'display alarm');
  raise(pbx, 'C', 0x300, 'info only');
  tl.clock.advance(3600_000);
  t.same(events, [], 'no signaling call for classes A and C');
  t.equal(tl.lab.exchange.activeCalls, 0, 'no call on the network');
  const b = raise(pbx, 'B');
  tl.clock.advance(5 * 60_000);
  t.same(events.map((e) => e.type), ['attempt', 'sent'], 'a class-B error is signaled');
  t.match(events[0], { records: 1 }, 'the report carries only the class-B error');
  const [stored] = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
  t.same(stored?.report.records.map((r) => [r.id, r.cls]), [[b, 'B']], 'the centre got exactly the class-B record');
  t.same(pbx.errors.list().map((r) => r.cls).sort(), ['A', 'C'], 'A and C stay in the Error History');
});
