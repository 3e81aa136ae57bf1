import t from 'tap';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { configure, enableSignaling, record, startTeleserviceLab } from '../support/teleservice-lab.js';

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

// signaling.functest-spread: the first test of each PBX comes within the spread after its
// day, at an offset its system id fixes; later tests keep that time of day.
t.test('function-test spread: each PBX its own fixed time within the window, the same on every start', async (t) => {
  const spreadMin = 120;
  const firstTests = async (): Promise<Map<string, number[]>> => {
    const tl = await startTeleserviceLab({ pbxs: 24, centre: false });
    const at = new Map<string, number[]>();
    const t0 = tl.clock.now();
    for (const [id, { pbx, signaling }] of tl.lab.pbxs) {
      at.set(id, []);
      signaling.onEvent((e) => {
        if (e.type === 'function-test') at.get(id)!.push(tl.clock.now() - t0);
      });
      configure(pbx, { 'signaling.functest': 'yes', 'signaling.functest-days': '2', 'signaling.functest-spread': String(spreadMin) });
    }
    tl.clock.advance(6 * DAY_MS + 3 * 3600_000);
    await tl.close();
    return at;
  };
  const a = await firstTests();
  const b = await firstTests();
  t.same([...a], [...b], 'the same PBXs test at the same times on a second run (deterministic from the system id)');
  const offsets = [...a.values()].map((times) => times[0] - 2 * DAY_MS);
  t.ok(offsets.every((o) => o >= 0 && o < spreadMin * 60_000), `every first test within ${spreadMin} min after day 2`);
  t.ok(new Set(offsets).size >= 22, `24 PBXs, ${new Set(offsets).size} different times: spread, not a herd`);
  t.ok(Math.max(...offsets) - Math.min(...offsets) > (spreadMin * 60_000) / 2, 'covering most of the window');
  t.ok(
    [...a.values()].every((times) => times.length === 3 && times[1] - times[0] === 2 * DAY_MS && times[2] - times[1] === 2 * DAY_MS),
    'later tests every 2 days after the first, keeping the offset',
  );
});

t.test('function-test spread 0: every PBX tests exactly on its day', async (t) => {
  const tl = await startTeleserviceLab({ pbxs: 5, centre: false });
  t.teardown(() => tl.close());
  const at: number[] = [];
  const t0 = tl.clock.now();
  for (const { pbx, signaling } of tl.lab.pbxs.values()) {
    signaling.onEvent((e) => {
      if (e.type === 'function-test') at.push(tl.clock.now() - t0);
    });
    configure(pbx, { 'signaling.functest': 'yes', 'signaling.functest-spread': '0' });
  }
  tl.clock.advance(DAY_MS + 60_000);
  t.same(at, [DAY_MS, DAY_MS, DAY_MS, DAY_MS, DAY_MS], 'five PBXs, five tests at exactly 24 h');
});
