import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { CallTerminal, LinkInfo } from '../../core/call.js';
import { Exchange } from '../../src/network/exchange.js';

const link = (rateBps: number): LinkInfo => ({ rateBps, bytesPerSecond: rateBps / 10, connectText: String(rateBps), handshakeMs: 0 });

/** Connect two numbers with a fixed link and return both path ends. */
function connect(pacing: boolean, rateBps: number) {
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock, { pacing });
  let b: LineEndpoint | undefined;
  const answerer: CallTerminal = { offerCall: (call) => { call.answer(link(rateBps), (p) => { b = p; }); return 'ringing'; } };
  exchange.addSubscriber('2', answerer);
  const line = exchange.addSubscriber('1', { offerCall: () => 'busy' });
  let a: LineEndpoint | undefined;
  line.dial('2', { bearer: 'analog' }, { onConnect: (p) => { a = p; }, onFail: () => {} });
  clock.advance(1_000);
  return { clock, a: a!, b: b! };
}

t.test('a 5 s transfer at 14400 bit/s arrives at 1440 bytes/s within 1 %', async (t) => {
  const { clock, a, b } = connect(true, 14400);
  const arrivals: Array<[number, number]> = [];
  let total = 0;
  const start = clock.now();
  b.onData((d) => { total += d.length; arrivals.push([clock.now() - start, total]); });
  const bytes = 1440 * 5;
  a.write(new Uint8Array(bytes).fill(0x55));
  clock.advance(10_000);
  t.equal(total, bytes, 'every byte arrived');
  const finished = arrivals[arrivals.length - 1][0];
  t.ok(Math.abs(finished - 5000) / 5000 < 0.01, `finished after ${finished} ms, within 1 % of 5000 ms`);
  const atOneSecond = arrivals.filter(([ms]) => ms <= 1000).pop()![1];
  t.ok(Math.abs(atOneSecond - 1440) <= 15, `${atOneSecond} bytes after 1 s (≈1440)`);
});

t.test('2400 bit/s paces at 240 bytes/s; both directions independently', async (t) => {
  const { clock, a, b } = connect(true, 2400);
  let toB = 0;
  let toA = 0;
  b.onData((d) => { toB += d.length; });
  a.onData((d) => { toA += d.length; });
  a.write(new Uint8Array(480));
  b.write(new Uint8Array(480));
  clock.advance(1000);
  t.ok(Math.abs(toB - 240) <= 3, `${toB} bytes A→B after 1 s`);
  t.ok(Math.abs(toA - 240) <= 3, `${toA} bytes B→A after 1 s`);
  clock.advance(1000 + 10);
  t.equal(toB, 480, 'all A→B after 2 s (+ one pacing tick)');
});

t.test('pacing: false delivers at once', async (t) => {
  const { a, b } = connect(false, 2400);
  let got = 0;
  b.onData((d) => { got += d.length; });
  a.write(new Uint8Array(100_000));
  t.equal(got, 100_000, 'everything delivered synchronously');
});
