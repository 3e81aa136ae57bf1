import t from 'tap';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { CENTRE_NUMBER, enableSignaling, raise, record, startTeleserviceLab } from '../support/teleservice-lab.js';

/**
 * Error signaling keeps the ids of the signaled records from one retry to
 * the next while the Error History is unchanged (a busy centre makes a
 * fleet retry millions of times): a retry re-sends the same report, and any
 * change of the records in between — an error added, the history cleared,
 * a class-A or class-C entry — is seen at the very next attempt.
 */
t.test('between busy retries every change of the Error History reaches the next attempt', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  tl.lab.exchange.setFaults(CENTRE_NUMBER, { busyNextCalls: 3 });
  const first = raise(pbx, 'B', 0x210, 'first');
  tl.clock.advance(61_000 + 5_000);
  tl.clock.advance(60_000);
  const attempts = (): Array<Extract<SignalingEvent, { type: 'attempt' }>> => events.filter((e): e is Extract<SignalingEvent, { type: 'attempt' }> => e.type === 'attempt');
  t.equal(attempts().length, 2, 'two busy attempts');
  t.equal(attempts()[1].seq, attempts()[0].seq, 'the retry re-sends the same report');

  raise(pbx, 'C', 0x300, 'not signaled');
  tl.clock.advance(60_000);
  t.same([attempts()[2].seq, attempts()[2].records], [attempts()[0].seq, 1], 'a class-C entry changes nothing that is signaled: same report');

  const second = raise(pbx, 'B', 0x211, 'second');
  tl.clock.advance(60_000 + 30_000);
  const last = attempts().at(-1)!;
  t.not(last.seq, attempts()[0].seq, 'an error added between retries makes a new report');
  t.equal(last.records, 2, 'carrying both errors');
  t.match(events.at(-1), { type: 'sent', records: 2 }, 'and it is acknowledged');
  const reports = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
  t.same(reports.map((r) => r.report.records.map((x) => x.id)), [[first, second]], 'the centre stored the two errors in one report');
  t.equal(pbx.errors.list('B').length, 0, 'both deleted after the ACK');

  tl.lab.exchange.setFaults(CENTRE_NUMBER, { busyNextCalls: 1 });
  raise(pbx, 'B', 0x212, 'third');
  tl.clock.advance(61_000 + 5_000);
  const before = attempts().length;
  pbx.errors.clear();
  tl.clock.advance(10 * 60_000);
  t.equal(attempts().length, before, 'after the history is cleared no retry calls the centre');
  t.equal(signaling.state, 'idle', 'signaling is idle with nothing to signal');
});
