import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { EscapeGuard } from '../../modem/escape-guard.js';

function guard(guardMs = 1000, escapeChar = 0x2b) {
  const clock = new VirtualClock(0);
  let escapes = 0;
  const g = new EscapeGuard({ clock, escapeChar: () => escapeChar, guardMs: () => guardMs, onEscape: () => escapes++ });
  g.restart();
  return { clock, g, escapes: () => escapes };
}

const PLUS = Buffer.from('+++');

t.test('guard time, +++, guard time: one escape, confirmed only after the trailing guard', async (t) => {
  const { clock, g, escapes } = guard();
  clock.advance(1000);
  g.watch(PLUS);
  clock.advance(999);
  t.equal(escapes(), 0, 'not before the trailing guard time');
  clock.advance(1);
  t.equal(escapes(), 1, 'confirmed');
});

t.test('no escape without silence before, with a byte after, or with slow pluses', async (t) => {
  const early = guard();
  early.clock.advance(999);
  early.g.watch(PLUS);
  early.clock.advance(5000);
  t.equal(early.escapes(), 0, 'less than the guard time since going online');

  const after = guard();
  after.clock.advance(1000);
  after.g.watch(Buffer.from('+++x'));
  after.clock.advance(5000);
  t.equal(after.escapes(), 0, 'a byte after the pluses keeps it data');

  const slow = guard();
  slow.clock.advance(1000);
  for (const b of PLUS) {
    slow.g.watch(Uint8Array.of(b));
    slow.clock.advance(1000);
  }
  slow.clock.advance(5000);
  t.equal(slow.escapes(), 0, 'pluses a guard time apart are not a sequence');
});

t.test('S2 > 127 disables the escape; cancel() forgets a sequence under way', async (t) => {
  const off = guard(1000, 200);
  off.clock.advance(1000);
  off.g.watch(Uint8Array.of(200, 200, 200));
  off.clock.advance(5000);
  t.equal(off.escapes(), 0, 'escape character above 127');

  const cut = guard();
  cut.clock.advance(1000);
  cut.g.watch(PLUS);
  cut.g.cancel();
  cut.clock.advance(5000);
  t.equal(cut.escapes(), 0, 'cancelled before the trailing guard ran out');
});

t.test('guard time 0: three pluses in a row escape at once', async (t) => {
  const { clock, g, escapes } = guard(0);
  g.watch(PLUS);
  clock.advance(0);
  t.equal(escapes(), 1, 'no guard time needed');
});

t.test('pluses behind data in one chunk are data; a sequence split over chunks still counts', async (t) => {
  const behind = guard();
  behind.clock.advance(1000);
  behind.g.watch(Buffer.from('data+++'));
  behind.clock.advance(5000);
  t.equal(behind.escapes(), 0, 'no guard time between the data and the pluses');

  const split = guard();
  split.clock.advance(1000);
  split.g.watch(Buffer.from('+'));
  split.clock.advance(100);
  split.g.watch(Buffer.from('++'));
  split.clock.advance(1000);
  t.equal(split.escapes(), 1, '"+" then "++" 100 ms later is the sequence');

  const binary = guard();
  binary.clock.advance(1000);
  binary.g.watch(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i % 3 === 0 ? 0x2b : i & 0xff))));
  binary.clock.advance(5000);
  t.equal(binary.escapes(), 0, 'binary data full of pluses is data');

  const zero = guard(0);
  zero.g.watch(Buffer.from('ab+++'));
  zero.clock.advance(0);
  t.equal(zero.escapes(), 1, 'S12=0: three pluses at the end of any chunk escape');
});
