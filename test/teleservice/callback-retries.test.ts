import t, { type Test } from 'tap';
import type { CallbackEvent } from '../../firmware-sim/callback-scheduler.js';
import { BUSY_NUMBER, NO_ANSWER_NUMBER, TECH_NUMBER, configure, startTeleserviceLab, viaTrunk, type TeleserviceLab } from '../support/teleservice-lab.js';

/** Seed (003, Callback): "insgesamt 20 Versuche in Abstand von je 10 s" — written out, not the scheduler's constants. */
const SEED_ATTEMPTS = 20;
const SEED_GAP_MS = 10_000;

async function callbackTo(t: Test, number: string): Promise<{ tl: TeleserviceLab; events: Array<CallbackEvent & { at: number }> }> {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { 'callback.5.number': number, 'callback.5.code': '55' });
  const events: Array<CallbackEvent & { at: number }> = [];
  callback.onEvent((e) => events.push({ ...e, at: tl.clock.now() }));
  t.same(callback.request(5), { ok: true }, 'registered');
  tl.clock.advance(3 * 3600_000);
  return { tl, events };
}

for (const [name, number, outcome] of [
  ['busy', viaTrunk(BUSY_NUMBER), 'busy'],
  ['wrong number', viaTrunk('0555555'), 'unobtainable'],
  ['no answer', viaTrunk(NO_ANSWER_NUMBER), 'no-answer'],
] as const) {
  t.test(`${name}: 20 attempts in total, 10 s apart, then given up and logged`, async (t) => {
    const { tl, events } = await callbackTo(t, number);
    const attempts = events.filter((e) => e.type === 'attempt');
    const failures = events.filter((e) => e.type === 'failed');
    t.equal(attempts.length, SEED_ATTEMPTS, 'exactly 20 attempts');
    t.ok(failures.every((e) => e.type === 'failed' && e.outcome === outcome), `every attempt failed as ${outcome}`);
    for (let i = 1; i < attempts.length; i++) {
      t.equal(attempts[i].at - failures[i - 1].at, SEED_GAP_MS, `attempt ${i + 1} follows the failure of attempt ${i} after 10 s`);
    }
    t.match(events.at(-1), { type: 'given-up', attempts: 20 }, 'then the PBX gives up');
    t.ok(tl.pbx().pbx.log.read().some((e) => e.command === 'CALLBACK 5 given up after 20 attempts'), 'giving up is logged');
  });
}

t.test('a callback that connects at attempt 3 stops retrying', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { 'callback.1.number': viaTrunk(TECH_NUMBER), 'callback.1.code': '1' });
  tl.lab.exchange.setFaults(TECH_NUMBER, { busyNextCalls: 2 });
  const events: CallbackEvent[] = [];
  callback.onEvent((e) => events.push(e));
  const tech = tl.lab.modems.get('technician');
  if (!tech) throw new Error('the teleservice lab has no technician modem');
  // Auto-answer without a terminal: set S0 directly.
  tech.modem.sRegisters.set(0, 1);
  callback.request(1);
  tl.clock.advance(600_000);
  t.same(events.map((e) => e.type), ['registered', 'attempt', 'failed', 'attempt', 'failed', 'attempt', 'connected'], 'two busy attempts, then connected, no more attempts');
});

t.test('request refuses an index without number or outside 1–6', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { callback } = tl.pbx();
  t.match(callback.request(6), { ok: false, code: 404 }, 'no number');
  t.match(callback.request(0), { ok: false, code: 422 }, 'index 0');
  t.equal(callback.pendingIndex, 0, 'nothing pending');
});
