import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { CallFailure, CallTerminal, IncomingCall } from '../../core/call.js';
import { CallState, DEFAULT_SETUP_DELAY_MS, Exchange, NumberingError, type CallEvent } from '../../src/network/exchange.js';
import { FaultSpecError, parseFaultSpec } from '../../src/network/fault-plan.js';

const LINK = { rateBps: 9600, bytesPerSecond: 960, connectText: '9600', handshakeMs: 1000 };

function net() {
  const clock = new VirtualClock(0);
  const events: CallEvent[] = [];
  const exchange = new Exchange(clock, { onCallEvent: (e) => events.push(e) });
  const offered: IncomingCall[] = [];
  const ringer: CallTerminal = { offerCall: (c) => { offered.push(c); return 'ringing'; } };
  const caller = exchange.addSubscriber('100', { offerCall: () => 'busy' });
  return { clock, exchange, events, offered, ringer, caller };
}

function place(n: ReturnType<typeof net>, digits: string, noAnswerMs?: number) {
  const r: { fail?: CallFailure; path?: LineEndpoint; alerting: boolean } = { alerting: false };
  const call = n.caller.dial(digits, { bearer: 'analog' }, {
    onAlerting: () => { r.alerting = true; },
    onConnect: (p) => { r.path = p; },
    onFail: (f) => { r.fail = f; },
  }, { noAnswerMs });
  return { r, call };
}

t.test('numbering plan: subscribers, PBX trunk + DID, internal numbers, removed DID', async (t) => {
  const n = net();
  const pbx = n.exchange.addPbx({ id: 'p1', trunkNumbers: ['0897220', '0897221'] });
  pbx.addPort('77', n.ringer);
  pbx.addPort('78', n.ringer, { did: '900' });
  pbx.addPort('79', n.ringer, { did: null });
  n.exchange.addPbx({ id: 'p2', trunkNumbers: ['040555'] }).addPort('77', n.ringer);
  t.same(n.exchange.numberingPlan().filter((e) => e.kind === 'pbx-port').map((e) => e.number), ['089722077', '0897220900', undefined, '04055577'], 'public numbers');
  const calls = ['089722077', '089722177', '0897220900', '04055577'].map((d) => place(n, d));
  n.clock.advance(600);
  t.same(calls.map((c) => c.r.alerting), [true, false, true, true], 'second trunk reaches 77 too but it is already ringing → busy');
  t.equal(calls[1].r.fail, 'busy', 'busy because 77 of p1 is in a call');
  const hidden = place(n, '089722079');
  n.clock.advance(600);
  t.equal(hidden.r.fail, 'unobtainable', 'port without DID unreachable from outside');
  t.throws(() => pbx.addPort('05', n.ringer), NumberingError, 'internal number with the outside-line prefix');
  t.throws(() => pbx.addPort('77', n.ringer), NumberingError, 'duplicate internal number');
  t.throws(() => n.exchange.addSubscriber('12a', n.ringer), NumberingError, 'non-digit number');
  t.throws(() => n.exchange.addSubscriber('100', n.ringer), NumberingError, 'duplicate subscriber');
  t.throws(() => n.exchange.setFaults('555', { unreachable: true }), NumberingError, 'fault on an unknown line');
});

t.test('call states: setup → alerting → handshake → connected → released', async (t) => {
  const n = net();
  n.exchange.addSubscriber('200', n.ringer);
  const { r } = place(n, '200');
  n.clock.advance(600);
  const rings: boolean[] = [];
  n.offered[0].onRing((on) => rings.push(on));
  n.clock.advance(10_000);
  t.same(rings, [false, true, false, true], 'cadence: off at 1 s, on at 5 s, …');
  let b: LineEndpoint | undefined;
  n.offered[0].answer(LINK, (p) => { b = p; });
  n.clock.advance(999);
  t.equal(r.path, undefined, 'handshake takes link.handshakeMs');
  n.clock.advance(1);
  t.ok(r.path && b, 'both ends connected');
  let closed = 0;
  r.path!.onClose(() => closed++);
  b!.onClose(() => closed++);
  b!.close();
  t.equal(closed, 2, 'release from the called side closes both ends');
  t.same(n.events.map((e) => e.state), [CallState.Setup, CallState.Alerting, CallState.Handshake, CallState.Connected, CallState.Released], 'state sequence');
  t.equal(n.exchange.activeCalls, 0, 'nothing active');
});

t.test('no answer, caller cancel, handshake failure', async (t) => {
  const n = net();
  n.exchange.addSubscriber('200', n.ringer);
  const slow = place(n, '200', 30_000);
  let cancelled = false;
  n.clock.advance(600);
  n.offered[0].onCancel(() => { cancelled = true; });
  n.clock.advance(30_000);
  t.equal(slow.r.fail, 'no-answer', 'no-answer after the caller\'s timeout');
  t.ok(cancelled, 'the callee saw the cancel');
  const c2 = place(n, '200');
  n.clock.advance(600);
  c2.call.cancel();
  t.equal(c2.r.fail, 'cancelled', 'caller hung up while ringing');
  const c3 = place(n, '200');
  n.clock.advance(600);
  n.offered[2].answer(null, () => {});
  n.clock.advance(10);
  t.equal(c3.r.fail, 'handshake-failed', 'answer(null) fails the handshake');
});

t.test('faults: busy N calls, unreachable, latency, drop after T, seeded corruption', async (t) => {
  const n = net();
  const answerer: CallTerminal = { offerCall: (c) => { c.answer({ ...LINK, handshakeMs: 0 }, (p) => p.onData((d) => p.write(d))); return 'ringing'; } };
  n.exchange.addSubscriber('300', answerer);
  n.exchange.setFaults('300', parseFaultSpec('busy=2'));
  const fails: Array<CallFailure | undefined> = [];
  for (let i = 0; i < 3; i++) {
    const c = place(n, '300');
    n.clock.advance(1_000);
    fails.push(c.r.fail);
    c.r.path?.close();
  }
  t.same(fails, ['busy', 'busy', undefined], 'two busy calls, then through');
  n.exchange.setFaults('300', { unreachable: true });
  const u = place(n, '300');
  n.clock.advance(1_000);
  t.equal(u.r.fail, 'unreachable', 'unreachable');
  n.exchange.clearFaults('300');
  n.exchange.setFaults('300', parseFaultSpec('latency=200ms,drop-after=3s'));
  const placedAt = n.clock.now();
  const c = place(n, '300');
  n.clock.advance(500);
  const got: number[] = [];
  c.r.path!.onData(() => got.push(n.clock.now()));
  let closedAt = 0;
  c.r.path!.onClose(() => { closedAt = n.clock.now(); });
  const sent = n.clock.now();
  c.r.path!.write('x');
  n.clock.advance(5_000);
  t.ok(got[0] - sent >= 400 && got[0] - sent <= 420, `round trip ${got[0] - sent} ms ≈ 2 × 200 ms latency + pacing`);
  t.equal(closedAt - placedAt, 500 + 3000, 'dropped 3 s after connect (post-dial delay 500 ms)');
  n.exchange.setFaults('300', { dropAfterMs: undefined, latencyMs: 0, corruptRate: 0.1, corruptSeed: 42 });
  const run = (): string => {
    const k = place(n, '300');
    n.clock.advance(600);
    let echoed = '';
    k.r.path!.onData((d) => { echoed += Buffer.from(d).toString('hex'); });
    k.r.path!.write(new Uint8Array(1000));
    n.clock.advance(5_000);
    k.r.path!.close();
    return echoed;
  };
  const first = run();
  const damaged = Buffer.from(first, 'hex').filter((b) => b !== 0).length;
  t.ok(damaged > 100 && damaged < 300, `${damaged} of 1000 bytes damaged on a round trip at 10 % per byte and hop`);
  const second = run();
  t.equal(second.length, first.length, 'same length');
  t.equal(second, first, 'same seed, same corruption');
});

t.test('fault spec text: parse and clear errors', async (t) => {
  t.same(parseFaultSpec('busy=3, unreachable, drop-bytes=10,corrupt=0.5,seed=7,latency=1s,no-dialtone'), {
    busyNextCalls: 3, unreachable: true, dropAfterBytes: 10, corruptRate: 0.5, corruptSeed: 7, latencyMs: 1000, noDialtone: true,
  }, 'all keys');
  t.same(parseFaultSpec('drop-after=2min'), { dropAfterMs: 120_000 }, 'minutes');
  t.throws(() => parseFaultSpec('explode'), FaultSpecError, 'unknown key');
  t.throws(() => parseFaultSpec('corrupt=2'), FaultSpecError, 'rate above 1');
  t.throws(() => parseFaultSpec('latency=soon'), FaultSpecError, 'bad duration');
  t.throws(() => parseFaultSpec('drop-bytes'), FaultSpecError, 'missing value');
});

t.test('both ends with a cut in their plans: the smaller limit cuts, and the fault names its line', async (t) => {
  const applied: Array<{ line: string; fault: string }> = [];
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock, { onFaultApplied: (e) => applied.push({ line: e.line, fault: e.fault }) });
  const answerer: CallTerminal = { offerCall: (c) => { c.answer({ ...LINK, handshakeMs: 0 }, (p) => p.onData((d) => p.write(d))); return 'ringing'; } };
  const caller = exchange.addSubscriber('100', { offerCall: () => 'busy' });
  exchange.addSubscriber('300', answerer);
  const call = (): { crossed: () => number; closedAfter: () => number } => {
    let got = 0;
    let closedAt = -1;
    const placedAt = clock.now();
    caller.dial('300', { bearer: 'analog' }, {
      onConnect: (p) => {
        p.onData((d) => { got += d.length; });
        p.onClose(() => { closedAt = clock.now(); });
        p.write(new Uint8Array(200));
      },
      onFail: () => {},
    });
    clock.advance(10_000);
    return { crossed: () => got, closedAfter: () => closedAt - placedAt };
  };
  exchange.setFaults('100', { dropAfterBytes: 50 });
  exchange.setFaults('300', { dropAfterBytes: 30 });
  const bytes = call();
  t.ok(bytes.crossed() < 30, `cut once 30 bytes in all had crossed: ${bytes.crossed()} came back of the 200 sent`);
  t.same(applied.pop(), { line: '300', fault: 'drop-bytes' }, "the callee's smaller byte limit cut the call, and the event names the callee");
  exchange.setFaults('300', { dropAfterBytes: 50 });
  call();
  t.same(applied.pop(), { line: '100', fault: 'drop-bytes' }, "equal limits: the event names the caller's line");
  exchange.clearFaults('100');
  exchange.clearFaults('300');
  exchange.setFaults('100', { dropAfterMs: 300 });
  exchange.setFaults('300', { dropAfterMs: 200 });
  const timed = call();
  t.equal(timed.closedAfter(), 500 + 200, 'cut 200 ms after connect (post-dial delay 500 ms): the smaller time limit');
  t.same(applied.pop(), { line: '300', fault: 'drop-after' }, 'the time cut names the line whose plan set it');
});

t.test('call events are built only while they are wanted', async (t) => {
  const clock = new VirtualClock(0);
  const events: CallEvent[] = [];
  let wanted = false;
  const exchange = new Exchange(clock, { onCallEvent: (e) => events.push(e), callEventsWanted: () => wanted });
  exchange.addSubscriber('200', { offerCall: () => 'busy' });
  const line = exchange.addSubscriber('100', { offerCall: () => 'busy' });
  const handlers = { onConnect: () => undefined, onFail: () => undefined };
  line.dial('200', { bearer: 'analog' }, handlers);
  clock.advance(600);
  t.same(events, [], 'nobody wants them: none for a whole call');
  line.dial('200', { bearer: 'analog' }, handlers);
  wanted = true;
  clock.advance(600);
  t.same(events.map((e) => [e.id, e.state, e.reason]), [[2, CallState.Alerting, undefined], [2, CallState.Failed, 'busy']], 'from the moment they are wanted, each state change of the call in progress');
});

t.test('who the called side sees: the internal number inside a PBX, the public one outside it', async (t) => {
  const n = net();
  const seen: string[] = [];
  const pbx = n.exchange.addPbx({ id: 'p1', trunkNumbers: ['0897220'] });
  const station = pbx.addPort('31', n.ringer);
  pbx.addPort('32', { offerCall: (c) => { seen.push(c.caller); return 'busy'; } });
  n.exchange.addSubscriber('200', { offerCall: (c) => { seen.push(c.caller); return 'busy'; } });
  const handlers = { onConnect: () => undefined, onFail: () => undefined };
  station.dial('32', { bearer: 'analog' }, handlers);
  station.dial('0200', { bearer: 'analog' }, handlers);
  n.clock.advance(600);
  t.same(seen, ['31', '089722031'], 'internal call: 31; after the outside-line prefix: trunk + DID');
  t.same(n.events.filter((e) => e.state === CallState.Setup).map((e) => [e.caller, e.called]), [['31', '32'], ['089722031', '0200']], 'the set-up events name them the same way');
});

t.test('an answered call stops its no-answer timer', async (t) => {
  const pendingAfterConnect = (noAnswerMs: number | undefined): number => {
    const n = net();
    n.exchange.addSubscriber('300', { offerCall: (c) => { c.answer({ ...LINK, handshakeMs: 0 }, () => undefined); return 'ringing'; } });
    const { r } = place(n, '300', noAnswerMs);
    n.clock.advance(600);
    t.ok(r.path, 'connected');
    return n.clock.pending;
  };
  t.equal(pendingAfterConnect(30_000), pendingAfterConnect(undefined), 'no timer is left of the 30 s limit once the call is connected');
});

t.test('the no-answer limit counts from the dial; its timer waits for the ringing, so a call refused at the offer never sets it', async (t) => {
  const pendingAfterDial = (noAnswerMs: number | undefined): number => {
    const n = net();
    n.exchange.addSubscriber('400', { offerCall: () => 'busy' });
    const { r } = place(n, '400', noAnswerMs);
    const pending = n.clock.pending;
    n.clock.advance(DEFAULT_SETUP_DELAY_MS);
    t.equal(r.fail, 'busy', 'refused at the offer');
    return pending;
  };
  t.equal(pendingAfterDial(30_000), pendingAfterDial(undefined), 'before the offer only the set-up delay is on the clock');

  const n = net();
  n.exchange.addSubscriber('200', n.ringer);
  const ringing = place(n, '200', 30_000);
  n.clock.advance(29_999);
  t.equal(ringing.r.fail, undefined, 'still ringing 1 ms before the limit');
  t.ok(ringing.r.alerting, 'it rang');
  n.clock.advance(1);
  t.equal(ringing.r.fail, 'no-answer', 'no-answer 30 s after the dial, not after the offer');

  const short = place(n, '200', DEFAULT_SETUP_DELAY_MS - 100);
  n.clock.advance(DEFAULT_SETUP_DELAY_MS - 100);
  t.equal(short.r.fail, 'no-answer', 'a limit shorter than the set-up delay ends the call before any offer');
  n.clock.advance(100);
  t.equal(n.offered.length, 1, 'the called line was not offered that call');
});
