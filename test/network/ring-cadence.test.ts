import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { CallTerminal } from '../../core/call.js';
import { Exchange, NumberingError } from '../../src/network/exchange.js';

/** A PBX port that never answers and records when ringing switches on and off. */
function ringRecorder(clock: VirtualClock): { terminal: CallTerminal; steps: Array<[number, boolean]> } {
  const steps: Array<[number, boolean]> = [];
  return {
    steps,
    terminal: { offerCall: (call) => { call.onRing((on) => steps.push([clock.now(), on])); return 'ringing'; } },
  };
}

function ringFor(cadence: readonly number[] | undefined, ms: number): Array<[number, boolean]> {
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock, { setupDelayMs: 0 });
  const node = exchange.addPbx({ id: 'p1', trunkNumbers: ['0301234'] });
  if (cadence) node.setRingCadence(cadence);
  const port = ringRecorder(clock);
  node.addPort('700', port.terminal);
  exchange.addSubscriber('0897000', { offerCall: () => 'busy' }).dial('0301234700', { bearer: 'analog' }, { onConnect: () => undefined, onFail: () => undefined });
  clock.advance(ms);
  return port.steps;
}

t.test('a PBX port rings with its PBX\'s cadence; the default is 1 s on, 4 s off', async (t) => {
  t.same(ringFor(undefined, 10_500), [[0, true], [1000, false], [5000, true], [6000, false], [10_000, true]], 'default: 1 s on, 4 s off');
  // UK double ring, ITU-T E.180 Supplement 2: 0.4 on, 0.2 off, 0.4 on, 2.0 off.
  t.same(ringFor([400, 200, 400, 2000], 3100), [[0, true], [400, false], [600, true], [1000, false], [3000, true]], 'the UK double ring');
});

t.test('cadences and outside-line prefixes the numbering cannot take are refused', async (t) => {
  const exchange = new Exchange(new VirtualClock(0));
  const node = exchange.addPbx({ id: 'p1', trunkNumbers: ['0301234'] });
  node.addPort('791', { offerCall: () => 'busy' });
  t.throws(() => node.setRingCadence([1000]), RangeError, 'an odd number of steps');
  t.throws(() => node.setRingCadence([1000, 0]), RangeError, 'a step of 0 ms');
  t.throws(() => node.setOutsideLinePrefix('7'), new NumberingError("outside-line prefix '7' of PBX p1: internal number 791 starts with it"), 'a prefix an internal number starts with');
  node.setOutsideLinePrefix('9');
  t.equal(node.outsideLinePrefix, '9', 'another prefix is taken');
});
