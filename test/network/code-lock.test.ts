import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { CallFailure, CallTerminal } from '../../core/call.js';
import { Exchange } from '../../src/network/exchange.js';

function rig() {
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock);
  const node = exchange.addPbx({ id: 'p1', trunkNumbers: ['0301234'] });
  const ringer: CallTerminal = { offerCall: () => 'ringing' };
  const station = node.addPort('100', { offerCall: () => 'busy' }, { did: null });
  node.addPort('791', ringer);
  exchange.addSubscriber('0897000', ringer);
  const dial = (digits: string): { fail?: CallFailure; alerting: boolean } => {
    const r: { fail?: CallFailure; alerting: boolean } = { alerting: false };
    const call = station.dial(digits, { bearer: 'voice' }, { onAlerting: () => { r.alerting = true; }, onConnect: () => undefined, onFail: (f) => { r.fail = f; } });
    clock.advance(1000);
    const seen = { ...r };
    // Hang up, so the next attempt finds the called line free.
    if (r.alerting) call.cancel();
    return seen;
  };
  return { node, dial };
}

t.test('a code-locked station reaches internal numbers only; unlocked it dials out', async (t) => {
  const { node, dial } = rig();
  t.same(dial('00897000'), { alerting: true }, 'unlocked: the external call rings');
  node.setCodeLock('100', true);
  t.same(dial('00897000'), { alerting: false, fail: 'unobtainable' }, 'locked: the external call is refused');
  t.same(dial('791'), { alerting: true }, 'locked: an internal number still rings');
  node.setCodeLock('100', false);
  t.same(dial('00897000'), { alerting: true }, 'unlocked again: external calls ring');
});
