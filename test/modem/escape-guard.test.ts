import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { EscapeGuard } from '../../modem/escape-guard.js';

/**
 * Run a script against a guard that went online at time 0: a string or
 * byte array is a chunk from the DTE, a number advances the clock by that
 * many ms; 'cancel' leaves the online state. Returns the escapes seen.
 */
function run(script: Array<string | Uint8Array | number | 'cancel'>, guardMs = 1000, escapeChar = 0x2b): number {
  const clock = new VirtualClock(0);
  let escapes = 0;
  const g = new EscapeGuard({ clock, escapeChar: () => escapeChar, guardMs: () => guardMs, onEscape: () => escapes++ });
  g.restart();
  for (const step of script) {
    if (typeof step === 'number') clock.advance(step);
    else if (step === 'cancel') g.cancel();
    else g.watch(typeof step === 'string' ? Buffer.from(step, 'latin1') : step);
  }
  return escapes;
}

t.test('guard time, +++, guard time: one escape, confirmed only after the trailing guard', async (t) => {
  t.equal(run([1000, '+++', 999]), 0, 'not before the trailing guard time');
  t.equal(run([1000, '+++', 1000]), 1, 'confirmed');
});

t.test('no escape without silence before, with a byte after, or with slow pluses', async (t) => {
  t.equal(run([999, '+++', 5000]), 0, 'less than the guard time since going online');
  t.equal(run([1000, '+++x', 5000]), 0, 'a byte after the pluses keeps it data');
  t.equal(run([1000, '+', 1000, '+', 1000, '+', 5000]), 0, 'pluses a guard time apart are not a sequence');
});

t.test('S2 > 127 disables the escape; cancel() forgets a sequence under way', async (t) => {
  t.equal(run([1000, Uint8Array.of(200, 200, 200), 5000], 1000, 200), 0, 'escape character above 127');
  t.equal(run([1000, '+++', 'cancel', 5000]), 0, 'cancelled before the trailing guard ran out');
});

t.test('guard time 0: three pluses at the end of any chunk escape at once', async (t) => {
  t.equal(run(['+++', 0], 0), 1, 'no guard time needed');
  t.equal(run(['ab+++', 0], 0), 1, 'behind data too');
  t.equal(run(['++++', 0], 0), 0, 'four pluses are not the sequence');
});

t.test('pluses behind data in one chunk are data; a sequence split over chunks still counts', async (t) => {
  t.equal(run([1000, 'data+++', 5000]), 0, 'no guard time between the data and the pluses');
  t.equal(run([1000, '+', 100, '++', 1000]), 1, '"+" then "++" 100 ms later is the sequence');
  const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i % 3 === 0 ? 0x2b : i & 0xff));
  t.equal(run([1000, binary, 5000]), 0, 'binary data full of pluses is data');
});
