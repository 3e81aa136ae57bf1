import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/seeded-random.js';

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

t.test('timers set from inside timers, cancelled at random and past 1024 at once fire exactly in (time, creation) order', async (t) => {
  const clock = new VirtualClock(0);
  const random = new SeededRandom(15);
  const fired: Array<[number, number]> = [];
  const live = new Map<number, { at: number; handle: { cancel(): void } }>();
  let seq = 0;
  let cancelled = 0;
  const add = (delay: number): void => {
    const id = seq++;
    const at = clock.now() + delay;
    live.set(id, { at, handle: clock.setTimer(delay, () => {
      live.delete(id);
      fired.push([clock.now(), id]);
      // A fleet's timers mostly set further timers (pacing, retries), many at the same instant.
      if (seq < 20_000) for (let k = random.int(3); k > 0; k--) add(random.int(4) * 250);
    }) });
  };
  for (let i = 0; i < 3000; i++) add(random.int(40) * 100);
  for (let round = 0; round < 40; round++) {
    for (const [id, timer] of live) if (random.next() < 0.2) { timer.handle.cancel(); live.delete(id); cancelled++; }
    clock.advance(100);
  }
  clock.advance(1_000_000);
  t.ok(fired.length > 500 && cancelled > 2 * 1024, `many timers fired (${fired.length}) and more were cancelled (${cancelled}), so the heap was compacted on the way`);
  t.equal(live.size, 0, 'every timer not cancelled fired');
  // Creation numbers follow creation, so (time, creation) order is: each firing later in time, or at the same instant with a higher number.
  const outOfOrder = fired.findIndex(([at, id], k) => k > 0 && (at < fired[k - 1][0] || (at === fired[k - 1][0] && id < fired[k - 1][1])));
  t.equal(outOfOrder, -1, 'no timer fired before an earlier one, nor before one due at the same instant that was set before it');
  t.equal(clock.pending, 0, 'nothing left in the heap');
});
