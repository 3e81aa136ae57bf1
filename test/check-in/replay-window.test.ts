import t from 'tap';
import { isClockSkewed, judgeCheckIn } from '../../core/check-in-verdict.js';
import { checkReplay, EMPTY_REPLAY_WINDOW, isReplayWindow, REPLAY_WINDOW_WIDTH, type ReplayWindow } from '../../core/replay-window.js';
import { SeededRandom } from '../../core/seeded-random.js';

/** The rule of spec §5.2 written the slow, obvious way. */
class NaiveWindow {
  seen = new Set<number>();
  highest = -1;

  take(c: number): boolean {
    if (this.seen.has(c) || (this.highest >= 0 && c <= this.highest - REPLAY_WINDOW_WIDTH)) return false;
    this.seen.add(c);
    this.highest = Math.max(this.highest, c);
    return true;
  }
}

function take(w: ReplayWindow, c: number): ReplayWindow | undefined {
  const r = checkReplay(w, c);
  return r.fresh ? r.next : undefined;
}

t.test('a new device takes any first counter, 0 included', async (t) => {
  t.ok(checkReplay(EMPTY_REPLAY_WINDOW, 0).fresh, 'counter 0');
  t.ok(checkReplay(EMPTY_REPLAY_WINDOW, 0xffff_ffff).fresh, 'counter 2^32-1');
});

t.test('the same counter twice is a replay', async (t) => {
  const w = take(EMPTY_REPLAY_WINDOW, 10)!;
  t.same(checkReplay(w, 10), { fresh: false, why: 'seen' }, 'highest again');
  const w2 = take(take(w, 12)!, 11)!;
  t.same(checkReplay(w2, 11), { fresh: false, why: 'seen' }, 'an out-of-order one again');
});

t.test('the window is 64 wide: highest and the 63 below it', async (t) => {
  const w = take(EMPTY_REPLAY_WINDOW, 1000)!;
  t.ok(checkReplay(w, 1000 - 63).fresh, 'highest − 63 is inside and unseen: taken');
  t.same(checkReplay(w, 1000 - 64), { fresh: false, why: 'below-window' }, 'highest − 64 is below the window');
  t.same(checkReplay(w, 0), { fresh: false, why: 'below-window' }, 'far below');
  const late = take(w, 937)!;
  t.same(checkReplay(late, 937), { fresh: false, why: 'seen' }, 'the late one is remembered');
  const slid = take(late, 1001)!;
  t.same(checkReplay(slid, 937), { fresh: false, why: 'below-window' }, 'one step up and 937 falls out');
  t.same(checkReplay(slid, 1000), { fresh: false, why: 'seen' }, 'the old highest is a seen bit now');
});

t.test('a jump of 64 or more forgets everything below', async (t) => {
  let w = take(EMPTY_REPLAY_WINDOW, 5)!;
  w = take(w, 5 + 64)!;
  t.equal(w.mask, 0n, 'the old highest lies below the new window');
  w = take(w, 5 + 64 + 63)!;
  t.equal(w.mask, 1n << 62n, 'a jump of 63 keeps the old highest as the top bit');
  t.same(checkReplay(w, 69), { fresh: false, why: 'seen' }, 'and it is still a replay');
});

t.test('the mask fits a signed 64-bit column', async (t) => {
  let w: ReplayWindow = EMPTY_REPLAY_WINDOW;
  for (let c = 1; c <= 200; c++) w = take(w, c)!;
  t.equal(w.mask, (1n << 63n) - 1n, 'all 63 bits set after a run of consecutive counters');
  t.ok(w.mask <= 0x7fff_ffff_ffff_ffffn, 'below 2^63');
  t.ok(isReplayWindow(w), 'recognised as a window');
  t.notOk(isReplayWindow({ highest: 3, mask: 1n << 63n }), 'a 64th bit is not');
  t.notOk(isReplayWindow({ highest: -1, mask: 1n }), 'bits without a highest are not');
  t.notOk(isReplayWindow({ highest: 1.5, mask: 0n }), 'a fractional highest is not');
  t.notOk(isReplayWindow({ highest: 2, mask: 3 }), 'a number mask is not');
});

t.test('random counter streams agree with the naive rule', async (t) => {
  const rnd = new SeededRandom(64);
  let disagreements = 0;
  let replays = 0;
  for (let run = 0; run < 50; run++) {
    const naive = new NaiveWindow();
    let w: ReplayWindow = EMPTY_REPLAY_WINDOW;
    let base = rnd.int(1000);
    for (let i = 0; i < 400; i++) {
      // Mostly rising with duplicates, reorders and replays of old ones, sometimes a jump.
      const r = rnd.next();
      const c = r < 0.6 ? base++ : r < 0.9 ? Math.max(0, base - rnd.int(80)) : (base += rnd.int(100));
      const want = naive.take(c);
      const got = checkReplay(w, c);
      if (got.fresh !== want) disagreements++;
      if (got.fresh) w = got.next;
      else replays++;
    }
  }
  t.equal(disagreements, 0, 'checkReplay decides exactly as the rule');
  t.ok(replays > 1000, `the streams exercised replays (${replays})`);
});

t.test('clock skew: more than 120 s either way', async (t) => {
  const now = 1767600000;
  t.notOk(isClockSkewed(now + 120, now), '+120 s is fine');
  t.notOk(isClockSkewed(now - 120, now), '−120 s is fine');
  t.ok(isClockSkewed(now + 121, now), '+121 s is skew');
  t.ok(isClockSkewed(now - 121, now), '−121 s is skew');
});

t.test('verdict: replay before clock skew, and a skewed check-in uses its counter up', async (t) => {
  const now = 1767600000;
  const a = judgeCheckIn(EMPTY_REPLAY_WINDOW, 1, now, now);
  t.equal(a.verdict, 'accept', 'fresh and on time');
  const skew = judgeCheckIn(a.window, 2, now + 500, now);
  t.equal(skew.verdict, 'clock-skew', 'fresh, clock 500 s ahead');
  t.equal(judgeCheckIn(skew.window, 2, now, now).verdict, 'replay', 'the same counter with a corrected clock is a replay: resend under a new one');
  t.equal(judgeCheckIn(skew.window, 1, now + 500, now).verdict, 'replay', 'a replayed, skewed one is a replay');
  const r = judgeCheckIn(a.window, 1, now, now);
  t.equal(r.window, a.window, 'a replay leaves the window as it was');
  t.equal(judgeCheckIn(skew.window, 3, now - 100, now).verdict, 'accept', 'a new counter on time is accepted');
});
