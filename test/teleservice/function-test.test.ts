import t from 'tap';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { enableSignaling, record, startTeleserviceLab } from '../support/teleservice-lab.js';

/** The seed's unit for the function-test interval: "zeitlicher Abstand (1, 2, ... 7 Tage)". */
const DAY_MS = 24 * 3600_000;

for (const days of [1, 3, 7]) {
  t.test(`function test every ${days} day(s): a pseudo error, sent like a class-B error`, async (t) => {
    const tl = await startTeleserviceLab();
    t.teardown(() => tl.close());
    const { pbx, signaling } = tl.pbx();
    const events: Array<SignalingEvent & { at: number }> = [];
    signaling.onEvent((e) => events.push({ ...e, at: tl.clock.now() }));
    const t0 = tl.clock.now();
    enableSignaling(pbx, 5, { 'signaling.functest': 'yes', 'signaling.functest-days': String(days) });
    tl.clock.advance(14 * DAY_MS + 3600_000);
    const tests = events.filter((e) => e.type === 'function-test');
    t.equal(tests.length, Math.floor(14 / days), `${Math.floor(14 / days)} function tests in 14 days`);
    t.same(tests.map((e) => e.at - t0), tests.map((_, i) => (i + 1) * days * DAY_MS), `one every ${days} day(s)`);
    const reports = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
    t.equal(reports.length, tests.length, 'each reached the centre');
    t.ok(reports.every((r) => r.report.records.length === 1 && r.report.records[0].pseudo && r.report.records[0].cls === 'B' && r.report.records[0].code === PSEUDO_ERROR_CODE), 'as class-B pseudo errors with the pseudo flag and code FFF0');
    t.equal(pbx.errors.list().length, 0, 'deleted after ACK like any signaled error');
  });
}

t.test('function test off: no pseudo errors', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 5, { 'signaling.functest': 'no' });
  tl.clock.advance(8 * DAY_MS);
  t.same(events, [], 'nothing generated or sent');
  t.equal(pbx.errors.list().length, 0, 'history empty');
});
