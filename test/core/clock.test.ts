import t from 'tap';
import { VirtualClock } from '../../core/clock.js';

t.test('virtual timers fire in time order, ties in creation order', async (t) => {
  const clock = new VirtualClock(0);
  const fired: string[] = [];
  clock.setTimer(20, () => fired.push('b@20'));
  clock.setTimer(10, () => fired.push('a@10'));
  clock.setTimer(20, () => fired.push('c@20'));
  clock.advance(15);
  t.same(fired, ['a@10'], 'only the timer due by 15 ms fired');
  t.equal(clock.now(), 15, 'now is where advance stopped');
  clock.advance(5);
  t.same(fired, ['a@10', 'b@20', 'c@20'], 'same-instant timers keep creation order');
});

t.test('cancelled timers never fire; timers set from callbacks run in the same advance', async (t) => {
  const clock = new VirtualClock(0);
  const fired: number[] = [];
  const h = clock.setTimer(5, () => fired.push(5));
  h.cancel();
  clock.setTimer(1, () => clock.setTimer(1, () => fired.push(clock.now())));
  clock.advance(10);
  t.same(fired, [2], 'nested timer fired at 2 ms and cancelled one not at all');
  t.equal(clock.pending, 0, 'nothing left pending');
});

t.test('a week of 10-second timers re-armed from their callbacks: each fires on its own 10 s mark, all in one advance', async (t) => {
  const clock = new VirtualClock(0);
  const late: number[] = [];
  let n = 0;
  const tick = (): void => {
    n++;
    if (clock.now() !== n * 10_000) late.push(n);
    clock.setTimer(10_000, tick);
  };
  clock.setTimer(10_000, tick);
  clock.advance(7 * 24 * 3600_000);
  t.equal(n, 60_480, 'one tick every 10 s for 7 days');
  t.same(late.slice(0, 5), [], 'every tick saw now() at exactly its own 10 s mark');
  t.equal(clock.now(), 7 * 24 * 3600_000, 'now is the end of the week');
  t.equal(clock.pending, 1, 'the tick re-armed at the very end is still waiting');
  t.equal(clock.fired, 60_480, 'the clock counted every firing');
});

/**
 * The heap keeps each timer in a slot from its push to its pop and marks a
 * cancelled one by slot; a slot is taken again by a later timer. A handle
 * cancelled or fired long ago must never act on the timer in its old slot.
 */
t.test('a late cancel of a fired or cancelled timer leaves the timer that took its slot alone', async (t) => {
  const clock = new VirtualClock(0);
  const fired: string[] = [];
  const a = clock.setTimer(10, () => fired.push('a'));
  clock.advance(10);
  const b = clock.setTimer(10, () => fired.push('b'));
  a.cancel();
  const c = clock.setTimer(5, () => fired.push('c'));
  c.cancel();
  clock.advance(5);
  const d = clock.setTimer(1, () => fired.push('d'));
  c.cancel();
  b.cancel();
  b.cancel();
  const e = clock.setTimer(0, () => fired.push('e'));
  clock.advance(100);
  t.same(fired, ['a', 'e', 'd'], 'a fired; b and c cancelled once each; d and e, in the freed slots, fire in time order');
  t.equal(clock.pending, 0, 'nothing left pending');
  d.cancel();
  e.cancel();
  t.equal(clock.pending, 0, 'cancelling fired timers changes nothing');
});
