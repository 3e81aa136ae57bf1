import t, { type Test } from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { PowerCutFlash, type PowerCutPlan } from '../support/power-cut-flash.js';
import { checkRemounted, LogModel, mountSmall, runWorkload, SMALL_AREA, SMALL_BLOCK } from '../support/flash-log-model.js';

/** ≈ 14 entries a block, 4 blocks: 240 appends wrap the ring about 4 times. */
const STEPS = 240;

function freshCard(): MemoryFlash {
  return new MemoryFlash({ size: SMALL_AREA.size, blockSize: SMALL_BLOCK });
}

/** Op kinds and lengths of the uncut workload, so torn variants can be chosen per op. */
function recordOps(): Array<{ kind: 'program' | 'erase'; length: number }> {
  const ops: Array<{ kind: 'program' | 'erase'; length: number }> = [];
  const inner = freshCard();
  const spy = new PowerCutFlash(inner);
  const program = spy.program.bind(spy);
  const erase = spy.erase.bind(spy);
  spy.program = (o, d) => { ops.push({ kind: 'program', length: d.length }); program(o, d); };
  spy.erase = (b) => { ops.push({ kind: 'erase', length: SMALL_BLOCK }); erase(b); };
  const clock = new VirtualClock();
  const model = new LogModel();
  runWorkload(mountSmall(spy, clock), model, clock, STEPS);
  return ops;
}

/** Run the workload until cut, power up, check; then run on to the end and check again. */
function cutAndCheck(tt: Test, plan: PowerCutPlan, label: string, recoveryCut?: number): boolean {
  const clock = new VirtualClock();
  const card = freshCard();
  const model = new LogModel();
  const finished = runWorkload(mountSmall(new PowerCutFlash(card, plan), clock), model, clock, STEPS);
  if (finished) return true; // cut point beyond this variant's ops
  if (recoveryCut !== undefined) {
    // Power fails again while the log recovers and resumes work.
    try {
      runWorkload(mountSmall(new PowerCutFlash(card, { cutAt: recoveryCut, programBytes: 3, erase: 'mixed' }), clock), model, clock, STEPS);
    } catch {
      // the cut may hit during mount itself; the check below decides
    }
  }
  const log = mountSmall(new MemoryFlash({ bytes: card.bytes, blockSize: SMALL_BLOCK }), clock);
  if (!checkRemounted(tt, log, model, clock, label)) return false;
  runWorkload(log, model, clock, STEPS);
  const again = mountSmall(new MemoryFlash({ bytes: card.bytes, blockSize: SMALL_BLOCK }), clock);
  return checkRemounted(tt, again, model, clock, `${label}, run to the end`);
}

const ops = recordOps();

t.test('the workload wraps the ring at least 3 times', async (t) => {
  const erases = ops.filter((o) => o.kind === 'erase').length;
  t.ok(erases >= 3 * 4, `workload erases ${erases} blocks of a 4-block ring`);
});

t.test('cut after every program/erase operation (linear), whole op landed but unacknowledged', async (t) => {
  let ok = 0;
  for (let n = 1; n <= ops.length; n++) if (cutAndCheck(t, { cutAt: n }, `cut at op ${n}`)) ok++;
  t.equal(ok, ops.length, `all ${ops.length} cut points recover`);
});

t.test('cut after every operation with nothing of it landed', async (t) => {
  let ok = 0;
  for (let n = 1; n <= ops.length; n++) if (cutAndCheck(t, { cutAt: n, programBytes: 0, erase: 'none' }, `cut before op ${n}`)) ok++;
  t.equal(ok, ops.length, `all ${ops.length} cut points recover`);
});

t.test('torn programs at every byte, and mixed erases, for a sample of cut points', async (t) => {
  let cases = 0;
  let ok = 0;
  for (let n = 1; n <= ops.length; n += 19) {
    const op = ops[n - 1];
    if (op.kind === 'program') {
      for (let m = 0; m < op.length; m++) {
        cases++;
        if (cutAndCheck(t, { cutAt: n, programBytes: m }, `op ${n} torn after ${m}/${op.length} bytes`)) ok++;
      }
    } else {
      for (let seed = 1; seed <= 8; seed++) {
        cases++;
        if (cutAndCheck(t, { cutAt: n, erase: 'mixed', seed }, `erase op ${n} mixed (seed ${seed})`)) ok++;
      }
    }
  }
  t.ok(cases > 200, `${cases} torn variants tried`);
  t.equal(ok, cases, 'every torn variant recovers');
});

t.test('every erase op torn as a mixed block', async (t) => {
  let cases = 0;
  let ok = 0;
  ops.forEach((op, i) => {
    if (op.kind !== 'erase') return;
    cases++;
    if (cutAndCheck(t, { cutAt: i + 1, erase: 'mixed', seed: i + 1 }, `erase op ${i + 1} mixed`)) ok++;
  });
  t.equal(ok, cases, `all ${cases} torn erases recover`);
});

t.test('a second power cut during recovery', async (t) => {
  let cases = 0;
  let ok = 0;
  for (let n = 1; n <= ops.length; n += 11) {
    for (let k = 1; k <= 6; k++) {
      cases++;
      if (cutAndCheck(t, { cutAt: n, programBytes: 5, erase: 'mixed', seed: n }, `cut at op ${n}, again at recovery op ${k}`, k)) ok++;
    }
  }
  t.equal(ok, cases, `all ${cases} double cuts recover`);
});

t.test('full-size log area: 3 wraps with a cut every ~7,000 operations', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash();
  const model = new LogModel();
  const end = 3 * 17_000;
  let cuts = 0;
  let ok = 0;
  let finished = false;
  while (!finished) {
    const cutAt = 7000 + 3 * cuts;
    const log = FlashProtocolLog.mount(new PowerCutFlash(card, { cutAt, programBytes: cutAt % 40 }), { clock });
    if (!checkRemounted(t, log, model, clock, `full size after cut ${cuts}`)) break;
    ok++;
    finished = runWorkload(log, model, clock, end, 4001);
    if (!finished) cuts++;
  }
  t.ok(cuts >= 10, `${cuts} cuts during 3 wraps of the full MB`);
  t.equal(ok, cuts + 1, 'every remount passed the checks');
  const erases = FlashProtocolLog.mount(card, { clock }).areaErases();
  t.ok(Math.min(...erases) >= 3, `every block erased at least 3 times (${erases.join(',')})`);
});
