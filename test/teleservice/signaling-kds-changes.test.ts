import t from 'tap';
import { ErrorSignaling, type SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { makePbx } from '../support/pbx-harness.js';
import { ScriptedModem } from '../support/scripted-modem.js';
import { configure, raise, record } from '../support/teleservice-lab.js';

/**
 * Error signaling keeps what it read of the KDS (the flag, callback index 1,
 * the interval) until the KDS changes (`Kds.revision`), instead of reading
 * the items at every retry; so every change between two attempts must reach
 * the next one.
 */
function retrying() {
  const { pbx, clock } = makePbx();
  const imod = new ScriptedModem('imod', clock);
  const x75 = new ScriptedModem('x75', clock);
  const signaling = new ErrorSignaling({ pbx, modems: { imod, x75 } });
  const events = record<SignalingEvent>(signaling);
  signaling.start();
  configure(pbx, { 'signaling.enabled': 'yes', 'signaling.interval': '1', 'callback.1.number': '0999' });
  raise(pbx, 'B');
  // The first attempt at 1 min, busy 500 ms later, re-armed for the next minute.
  clock.advance(60_000 + 1000);
  return { pbx, clock, imod, x75, events };
}

t.test('a new number in callback index 1 between two busy attempts is the one dialled next', async (t) => {
  const { pbx, clock, imod } = retrying();
  t.same(imod.dialled.map((d) => d.number), ['0999'], 'the first attempt dials the old number');
  configure(pbx, { 'callback.1.number': '0888' });
  clock.advance(60_000);
  t.same(imod.dialled.map((d) => d.number), ['0999', '0888'], 'the retry dials the new one');
});

t.test('a new interval between two attempts times the next one', async (t) => {
  const { pbx, clock, imod } = retrying();
  const busyAt = imod.dialled[0].at + 500;
  // The retry after the first busy is armed with the old interval already: the change times the one after it.
  configure(pbx, { 'signaling.interval': '7' });
  clock.advance(20 * 60_000);
  t.same(imod.dialled.map((d) => d.at - busyAt), [-500, 60_000, 60_000 + 500 + 7 * 60_000, 60_000 + 2 * (500 + 7 * 60_000)], 'one more minute, then every 7 minutes');
});

t.test('the flag switched off between attempts skips the next expiry', async (t) => {
  const { pbx, clock, imod, events } = retrying();
  configure(pbx, { 'signaling.enabled': 'no' });
  clock.advance(60_000);
  t.equal(imod.dialled.length, 1, 'no second dial');
  t.same(events.filter((e) => e.type === 'skipped').map((e) => e.type === 'skipped' && e.reason), ['disabled'], 'the expiry is skipped as disabled');
});

t.test('a KDS reload (the delivered KDS, another table) is read at the next expiry', async (t) => {
  const { pbx, clock, imod, events } = retrying();
  t.equal(pbx.kds.get('signaling.enabled'), 'yes', 'configured');
  pbx.reload();
  t.not(pbx.kds.get('signaling.enabled'), 'yes', 'the delivered KDS has signaling off');
  clock.advance(20 * 60_000);
  t.equal(imod.dialled.length, 1, 'no dial after the reload');
  t.notOk(events.slice(events.findIndex((e) => e.type === 'failed') + 1).some((e) => e.type === 'attempt'), 'no attempt after the reload');
});
