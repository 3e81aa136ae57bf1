import t from 'tap';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { CENTRE_NUMBER, enableSignaling, raise, record, startTeleserviceLab } from '../support/teleservice-lab.js';

for (const [name, fault] of [
  ['centre busy', { busyNextCalls: 1000 }],
  ['centre unreachable', { unreachable: true }],
] as const) {
  t.test(`${name}: retry after the interval, stop after 5 failures, resume on a new entry with new + unsent`, async (t) => {
    const tl = await startTeleserviceLab();
    t.teardown(() => tl.close());
    const { pbx, signaling } = tl.pbx();
    const events: Array<SignalingEvent & { at: number }> = [];
    signaling.onEvent((e) => events.push({ ...e, at: tl.clock.now() }));
    enableSignaling(pbx, 2);
    tl.lab.exchange.setFaults(CENTRE_NUMBER, fault);
    const first = raise(pbx, 'B', 0x210, 'first');
    tl.clock.advance(24 * 3600_000);
    const attempts = events.filter((e) => e.type === 'attempt');
    const failures = events.filter((e) => e.type === 'failed');
    t.equal(attempts.length, 5, 'five attempts in a whole day (seed: "Nach fünf erfolglosen Versuchen wird die Signalisierung abgebrochen")');
    for (let i = 1; i < attempts.length; i++) t.equal(attempts[i].at - failures[i - 1].at, 2 * 60_000, `attempt ${i + 1} one interval after failure ${i}`);
    t.match(events.at(-1), { type: 'stopped', failures: 5 }, 'then signaling stops');
    t.same(pbx.errors.list().map((r) => r.id), [first], 'the error is kept');

    tl.lab.exchange.clearFaults(CENTRE_NUMBER);
    events.length = 0;
    tl.clock.advance(24 * 3600_000);
    t.same(events, [], 'no call while stopped, even with the centre reachable again');

    const second = raise(pbx, 'B', 0x211, 'second');
    tl.clock.advance(10 * 60_000);
    t.same(events.map((e) => e.type), ['resumed', 'attempt', 'sent'], 'a new entry resumes signaling');
    const reports = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
    t.same(reports.map((r) => r.report.records.map((x) => x.id)), [[first, second]], 'one report with the unsent and the new error');
    t.equal(pbx.errors.list().length, 0, 'both deleted after ACK');
  });
}

t.test('a success resets the failure count', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  tl.lab.exchange.setFaults(CENTRE_NUMBER, { busyNextCalls: 4 });
  raise(pbx, 'B');
  tl.clock.advance(30 * 60_000);
  t.same(events.map((e) => e.type), ['attempt', 'failed', 'attempt', 'failed', 'attempt', 'failed', 'attempt', 'failed', 'attempt', 'sent'], 'four busy, the fifth goes through');
  t.equal(signaling.failures, 0, 'failure count back to 0');
});
