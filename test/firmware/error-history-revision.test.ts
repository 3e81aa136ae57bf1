import t from 'tap';
import { ErrorHistory } from '../../firmware-sim/error-history.js';
import { isSignaled } from '../../firmware-sim/error-report.js';

const error = (cls: 'A' | 'B' | 'C', time: number) => ({ time, cls, code: 0x210, location: 'S1', text: 'test', pseudo: false });

/**
 * Error signaling keeps the ids of the signaled records until the Error
 * History's revision moves, instead of walking the records at every retry;
 * so every change of the records must move it, and only a change.
 */
t.test('the revision moves with every change of the records and only then', async (t) => {
  const h = new ErrorHistory();
  let r = h.revision;
  const step = (what: string, changed: boolean): void => {
    if (changed) t.not(h.revision, r, `${what} moves the revision`);
    else t.equal(h.revision, r, `${what} leaves the revision`);
    r = h.revision;
  };
  const a = h.add(error('B', 1));
  step('an entry added', true);
  h.addFunctionTest(2);
  step('a function test added', true);
  t.same(h.ids(isSignaled), [a.id, a.id + 1], 'both are signaled');
  h.list();
  h.ids(isSignaled);
  h.some(isSignaled);
  step('reading', false);
  t.equal(h.remove([999]), 0, 'an unknown id removes nothing');
  step('removing nothing', false);
  t.equal(h.remove([a.id]), 1, 'one removed');
  step('an entry removed', true);
  t.equal(h.clear(), 1, 'the last one cleared');
  step('clearing', true);
  h.clear();
  step('clearing an empty history', false);
});

t.test('an entry pushed out at capacity moves the revision with the one added', async (t) => {
  const h = new ErrorHistory();
  for (let k = 0; k < ErrorHistory.CAPACITY; k++) h.add(error(k === 0 ? 'B' : 'C', k));
  t.same(h.ids(isSignaled), [1], 'the oldest entry is the one signaled');
  const r = h.revision;
  h.add(error('C', ErrorHistory.CAPACITY));
  t.not(h.revision, r, 'a full history taking one more moves the revision');
  t.same(h.ids(isSignaled), [], 'the signaled entry was the one pushed out');
});
