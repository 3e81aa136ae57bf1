import t from 'tap';
import { startTeleserviceLab, enableSignaling, raise, record } from '../support/teleservice-lab.js';

t.test('a class-B error reaches the centre file and leaves the Error History', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record(signaling);
  enableSignaling(pbx, 1);
  raise(pbx, 'B');
  tl.clock.advance(5 * 60_000);
  t.same(events.map((e) => e.type), ['attempt', 'sent'], `events: ${JSON.stringify(events)}`);
  t.equal(pbx.errors.list().length, 0, 'history empty after ACK');
  t.equal((await tl.lab.centreReports?.reports('HSIM-0001'))?.length, 1, 'one report in the centre file');
});
