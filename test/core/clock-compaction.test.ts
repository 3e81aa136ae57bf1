import t from 'tap';
import { VirtualClock } from '../../core/clock.js';

t.test('after many cancellations (heap compaction) the live timers still fire in time and creation order', async (t) => {
  const clock = new VirtualClock(0);
  const fired: number[] = [];
  const handles = Array.from({ length: 5000 }, (_, i) => clock.setTimer(1000 + (i % 7) * 10, () => fired.push(i)));
  // Cancel four of every five, enough to cross the compaction threshold several times.
  for (let i = 0; i < handles.length; i++) if (i % 5 !== 0) handles[i].cancel();
  t.equal(clock.pending, 1000, 'pending counts only live timers');
  handles[1].cancel();
  t.equal(clock.pending, 1000, 'cancelling a cancelled timer changes nothing');
  clock.setTimer(1005, () => fired.push(-1));
  clock.advance(2000);
  const expected = [...Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 5 === 0), -1]
    .sort((a, b) => (a === -1 ? 1005 : 1000 + (a % 7) * 10) - (b === -1 ? 1005 : 1000 + (b % 7) * 10) || (a === -1 ? 1 : b === -1 ? -1 : a - b));
  t.same(fired, expected, 'every live timer fired once, by time, then by creation');
  t.equal(clock.pending, 0, 'nothing left');
  handles[0].cancel();
  t.equal(clock.pending, 0, 'cancelling a fired timer changes nothing');
});
