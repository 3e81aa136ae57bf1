import t from 'tap';
import { ErrorSignaling, type SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { makePbx } from '../support/pbx-harness.js';
import { ScriptedModem } from '../support/scripted-modem.js';
import { CENTRE_NUMBER, configure, enableSignaling, raise, record, startTeleserviceLab, viaTrunk } from '../support/teleservice-lab.js';

t.test('flag "error signaling" off: no call', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  configure(pbx, { 'callback.1.number': viaTrunk(CENTRE_NUMBER), 'signaling.interval': '1' });
  raise(pbx, 'B');
  tl.clock.advance(3600_000);
  t.notOk(events.some((e) => e.type === 'attempt'), 'never dialled');
  t.ok(events.every((e) => e.type === 'skipped' && e.reason === 'disabled'), 'each expiry is skipped as disabled');
  t.equal(pbx.errors.list().length, 1, 'the error stays');
  configure(pbx, { 'signaling.enabled': 'yes' });
  tl.clock.advance(5 * 60_000);
  t.ok(events.some((e) => e.type === 'sent'), 'switching the flag on sends it at the next expiry');
});

t.test('no number in callback index 1: no call, even with numbers in other indices', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  configure(pbx, { 'signaling.enabled': 'yes', 'signaling.interval': '1', 'callback.2.number': viaTrunk(CENTRE_NUMBER) });
  raise(pbx, 'B');
  tl.clock.advance(3600_000);
  t.notOk(events.some((e) => e.type === 'attempt'), 'never dialled');
  t.ok(events.length > 0 && events.every((e) => e.type === 'skipped' && e.reason === 'no-number'), 'skipped as no-number');
  t.equal((await tl.lab.centreReports?.summaries())?.length, 0, 'the centre received nothing');
});

t.test('interval: default 15 min, out-of-range values become 15, 1–15 are kept', async (t) => {
  const { pbx, clock } = makePbx();
  const imod = new ScriptedModem('imod', clock);
  const signaling = new ErrorSignaling({ pbx, modems: { imod } });
  signaling.start();
  configure(pbx, { 'signaling.enabled': 'yes', 'callback.1.number': '0999' });
  t.equal(signaling.intervalMs(), 15 * 60_000, 'default 15 min');
  for (const [raw, min] of [['0', 15], ['16', 15], ['-3', 15], ['1', 1], ['7', 7], ['15', 15]] as const) {
    configure(pbx, { 'signaling.interval': raw });
    t.equal(signaling.intervalMs(), min * 60_000, `interval ${raw} → ${min} min`);
  }
  configure(pbx, { 'signaling.interval': '99' });
  const t0 = clock.now();
  raise(pbx, 'B');
  clock.advance(61 * 60_000);
  // Each busy outcome comes 500 ms after dialling; the retry follows it by one interval.
  t.same(imod.dialled.map((d) => d.at - t0), [0, 1, 2, 3].map((k) => (k + 1) * 15 * 60_000 + k * 500), 'with 99 configured the PBX retries every 15 min');
});

t.test('the X.75 flag of callback index 1 chooses the modem', async (t) => {
  const { pbx, clock } = makePbx();
  const imod = new ScriptedModem('imod', clock);
  const x75 = new ScriptedModem('x75', clock);
  const signaling = new ErrorSignaling({ pbx, modems: { imod, x75 } });
  signaling.start();
  configure(pbx, { 'signaling.enabled': 'yes', 'signaling.interval': '1', 'callback.1.number': '0999', 'callback.1.x75': 'yes' });
  raise(pbx, 'B');
  clock.advance(60_000 + 1000);
  t.same([x75.dialled.length, imod.dialled.length], [1, 0], 'X.75 yes: the digital modem dials');
  configure(pbx, { 'callback.1.x75': 'no' });
  clock.advance(60_000 + 1000);
  t.same([x75.dialled.length, imod.dialled.length], [1, 1], 'X.75 no: the IMOD dials');
});
