import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { VirtualClock, type TimerHandle } from '../../core/clock.js';

// A full collection on demand, so the test sees what the clock still holds.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A timer due far ahead whose callback holds a payload; returns the timer and a weak view of the payload. */
function farTimer(clock: VirtualClock): { timer: TimerHandle; held: WeakRef<object> } {
  const payload = { call: 'a whole call attempt', bytes: new Uint8Array(1024) };
  // Nothing else here captures a variable, so only the callback holds the payload.
  return { timer: clock.setTimer(60_000, () => void payload.bytes.length), held: new WeakRef(payload) };
}

t.test('a cancelled timer lets go of its callback at once, not at its due time', async (t) => {
  const clock = new VirtualClock(0);
  const cancelled = farTimer(clock);
  const waiting = farTimer(clock);
  cancelled.timer.cancel();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  t.equal(cancelled.held.deref(), undefined, 'what the cancelled callback held is collected while its timer is still in the heap (a no-answer timer held the whole retry for S7)');
  t.not(waiting.held.deref(), undefined, 'a waiting timer keeps its callback and what it holds');
  t.equal(clock.pending, 1, 'one timer still waits');
  let fired = 0;
  clock.setTimer(60_000, () => fired++);
  clock.advance(60_000);
  t.equal(fired, 1, 'the timers after it still fire; the cancelled one is dropped without a call');
});
