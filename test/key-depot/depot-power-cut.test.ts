import t, { type Test } from 'tap';
import type { DeviceEvent } from '../../core/check-in-body.js';
import { PowerCutError, type FlashDevice, type FlashStats } from '../../core/flash-device.js';
import { DEPOT_ID, DepotRig, pinHash } from '../support/depot-rig.js';
import { PowerCutFlash, type PowerCutPlan } from '../support/power-cut-flash.js';

/**
 * A power cut at every flash operation of a depot's working day (its queue,
 * its settings, its counter reservations): after the reboot nothing that was
 * queued is lost, no event reaches the centre twice under different seqs
 * ("resent as new"), no event comes back after its ack was on flash, no
 * counter is reused, and the settings the centre set stay set.
 */

interface Step {
  at: number;
  act: (rig: DepotRig) => void;
}

/** The working day: a PIN from the centre, keys in and out, an outage, door, tamper, mains, more commands, a lost ack. */
function workload(): Step[] {
  const steps: Step[] = [];
  let at = 0;
  const add = (dt: number, act: (rig: DepotRig) => void): void => {
    at += dt;
    steps.push({ at, act });
  };
  const move = (c: number) => (rig: DepotRig): void => {
    rig.pin('4711');
    rig.cabinet.take(c);
    rig.cabinet.putBack(c);
  };
  add(1000, (rig) => rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Meier', hash: pinHash('4711'), compartments: [1, 2, 3] }));
  add(61_000, move(1));
  add(3000, (rig) => rig.cabinet.setDoor(true));
  add(2000, (rig) => rig.cabinet.setDoor(false));
  add(5000, (rig) => (rig.centre.answering = false));
  for (let i = 0; i < 16; i++) add(10_000, move(1 + (i % 3)));
  add(4000, (rig) => rig.cabinet.tamper());
  add(3000, (rig) => rig.cabinet.setMains(false));
  add(9000, (rig) => rig.cabinet.setMains(true));
  add(2000, (rig) => rig.pin('0000'));
  add(60_000, (rig) => (rig.centre.answering = true));
  add(1000, (rig) => rig.centre.queueCommand(DEPOT_ID, { type: 'interval', seconds: 30 }));
  add(1000, (rig) => rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Schulz', hash: pinHash('2580'), compartments: [4] }));
  add(40_000, (rig) => {
    let drop = 1;
    rig.net.drop = (_d, from) => from.port === 4711 && drop-- > 0;
  });
  for (let i = 0; i < 12; i++) add(7000, move(1 + (i % 3)));
  add(30_000, (rig) => rig.centre.queueCommand(DEPOT_ID, { type: 'test' }));
  add(31_000, (rig) => {
    rig.pin('2580');
    rig.cabinet.take(4);
  });
  // An afternoon at 30-second check-ins: enough of them to reserve new counters.
  for (let i = 0; i < 20; i++) add(50_000, i % 4 === 3 ? (rig) => rig.cabinet.setDoor(i % 8 === 3) : move(1 + (i % 3)));
  add(10 * 60_000, (rig) => rig.cabinet.tamper());
  add(60_000, () => undefined);
  return steps;
}

const STEPS = workload();

/** Records when the flash lost power, so the test knows which acks were fully processed before it. */
class CutClock implements FlashDevice {
  cutAt: number | undefined;
  constructor(readonly inner: FlashDevice, readonly now: () => number) {}
  get size(): number { return this.inner.size; }
  get blockSize(): number { return this.inner.blockSize; }
  read(o: number, l: number): Uint8Array { return this.#watch(() => this.inner.read(o, l)); }
  program(o: number, d: Uint8Array): void { this.#watch(() => this.inner.program(o, d)); }
  erase(b: number): void { this.#watch(() => this.inner.erase(b)); }
  stats(): FlashStats { return this.inner.stats(); }
  #watch<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PowerCutError) this.cutAt ??= this.now();
      throw err;
    }
  }
}

const identity = (e: DeviceEvent): string => JSON.stringify({ ...e, seq: undefined });

interface RunResult {
  rig: DepotRig;
  cut: boolean;
  cutTime: number | undefined;
  /** Events seen in the depot's queue at a step boundary: appended, durably. */
  queued: Map<string, DeviceEvent>;
  ops: number;
}

function runDay(plan: PowerCutPlan | undefined): RunResult {
  const rig = new DepotRig({ small: true });
  const cutFlash = new PowerCutFlash(rig.card, plan);
  const watched = new CutClock(cutFlash, () => rig.clock.now());
  const start = rig.clock.now();
  const queued = new Map<string, DeviceEvent>();
  const note = (): void => {
    if (rig.depot.lifecycle !== 'running') return;
    for (const e of rig.depot.pendingEvents()) queued.set(identity(e), e);
  };
  let cut = false;
  const rebootIfDead = (): void => {
    if (rig.depot.lifecycle === 'running') return;
    cut = true;
    rig.run(1000); // the power comes back a second later
    rig.boot(rig.card);
  };
  rig.boot(watched);
  note();
  rebootIfDead();
  for (const step of STEPS) {
    rig.clock.runUntil(start + step.at);
    rebootIfDead();
    note();
    step.act(rig);
    rebootIfDead();
    note();
  }
  rig.run(5 * 60_000);
  return { rig, cut, cutTime: watched.cutAt, queued, ops: cutFlash.ops };
}

/** The checks after a day with (or without) a cut; returns the problems found. */
function problems(r: RunResult): string[] {
  const out: string[] = [];
  const { rig } = r;
  const dev = rig.centre.device(DEPOT_ID);
  const atCentre = new Map<string, number>();
  for (const e of dev.events) atCentre.set(identity(e), (atCentre.get(identity(e)) ?? 0) + 1);
  for (const [id, n] of atCentre) if (n > 1) out.push(`${id} stored ${n} times under different seqs (resent as new)`);
  for (const id of r.queued.keys()) if (!atCentre.has(id)) out.push(`queued event lost: ${id}`);
  if (rig.depot.lifecycle !== 'running') out.push(`depot not running at the end: ${rig.depot.haltReason}`);
  if (rig.depot.pendingEvents().length) out.push(`${rig.depot.pendingEvents().length} events still queued at the end`);
  if (rig.centre.stats.naks.replay) out.push(`${rig.centre.stats.naks.replay} replay naks: a counter was reused`);
  if (dev.pending.length) out.push(`commands never answered: ${dev.pending.map((c) => c.type).join(', ')}`);
  const users = rig.depot.users.map((u) => u.name).sort();
  if (users.join() !== 'Meier,Schulz') out.push(`users ${users.join()} instead of Meier,Schulz`);
  if (rig.depot.intervalS !== 30) out.push(`interval ${rig.depot.intervalS}, the centre set 30`);
  // An event whose ack the depot processed before the cut (or in a boot without a cut) never arrives again.
  const carried = new Map<number, number[]>();
  for (const rep of rig.reports) if (rep.type === 'sent') carried.set(rep.counter, rep.seqs);
  const acked = new Map<number, number>();
  for (const rep of rig.reports) {
    if (rep.type !== 'ack') continue;
    const durable = r.cutTime === undefined || rep.boot > 1 || rep.at < r.cutTime;
    if (!durable) continue;
    for (const s of carried.get(rep.counter) ?? []) if (!acked.has(s)) acked.set(s, rep.at);
  }
  for (const rep of rig.reports) {
    if (rep.type !== 'sent') continue;
    for (const s of rep.seqs) {
      const a = acked.get(s);
      if (a !== undefined && rep.at > a) out.push(`event seq ${s} sent again at ${rep.at - a} ms after its ack was processed`);
    }
  }
  return out;
}

function check(t: Test, plan: PowerCutPlan | undefined, label: string): boolean {
  const r = runDay(plan);
  const p = problems(r);
  if (p.length) t.fail(`${label}: ${p.slice(0, 3).join('; ')}`);
  return p.length === 0;
}

const baseline = runDay(undefined);

t.test('the uncut day is clean and exercises the stores', async (t) => {
  t.same(problems(baseline), [], 'no problem without a cut');
  t.notOk(baseline.cut, 'no reboot');
  const erases = baseline.rig.card.stats().erases;
  t.ok(baseline.ops > 300, `${baseline.ops} flash operations in the day`);
  t.ok(Math.min(...erases.slice(10, 22)) >= 1 && erases.slice(10, 22).reduce((a, b) => a + b, 0) >= 20, `the queue ring wrapped (${erases.slice(10).join(',')})`);
  t.ok(erases.slice(2, 10).some((e) => e > 0), 'the settings store switched halves');
  t.ok(baseline.rig.reports.filter((r) => r.type === 'sent').length > 70, 'more than 64 check-ins: a second counter reservation');
  t.ok(baseline.rig.centre.device(DEPOT_ID).events.length > 40, 'a busy day at the centre');
});

t.test('a cut at every flash operation, the whole operation landed but unacknowledged', async (t) => {
  let ok = 0;
  for (let n = 1; n <= baseline.ops; n++) if (check(t, { cutAt: n }, `cut at op ${n}`)) ok++;
  t.equal(ok, baseline.ops, `all ${baseline.ops} cut points recover`);
});

t.test('a cut at every flash operation with nothing of it landed', async (t) => {
  let ok = 0;
  for (let n = 1; n <= baseline.ops; n++) if (check(t, { cutAt: n, programBytes: 0, erase: 'none' }, `cut before op ${n}`)) ok++;
  t.equal(ok, baseline.ops, `all ${baseline.ops} cut points recover`);
});

t.test('torn programs and half-erased blocks, on every 7th operation', async (t) => {
  let cases = 0;
  let ok = 0;
  for (let n = 1; n <= baseline.ops; n += 7) {
    for (const plan of [{ cutAt: n, programBytes: 1, erase: 'mixed' as const, seed: n }, { cutAt: n, programBytes: 9, erase: 'mixed' as const, seed: n + 1 }, { cutAt: n, programBytes: 40, erase: 'all' as const }]) {
      cases++;
      if (check(t, plan, `op ${n} torn (${plan.programBytes} bytes, erase ${plan.erase})`)) ok++;
    }
  }
  t.equal(ok, cases, `all ${cases} torn variants recover`);
});
