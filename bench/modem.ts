import { VirtualClock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { HayesModem } from '../modem/hayes-modem.js';
import { createLinePair } from '../src/adapters/line-pair.js';
import type { CallTerminal } from '../core/call.js';
import { Exchange } from '../src/network/exchange.js';
import { median, percentile } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

/** Well under a second on the 2-core box. */
bound('modem', 60);

/** AT round-trip: time from writing "AT\r" on the DTE side to "OK" coming back, in-process. */
function atRoundTrip(samples: number): { medianUs: number; p99Us: number; baselineUs: number } {
  const clock = new VirtualClock(0);
  const pair = createLinePair();
  new HayesModem({ clock, dte: pair.dce });
  let got = false;
  pair.dte.onData(() => { got = true; });
  pair.dte.write('ATE0\r');
  const times: number[] = [];
  const line = Buffer.from('AT\r');
  for (let i = 0; i < samples; i++) {
    got = false;
    const t0 = process.hrtime.bigint();
    pair.dte.write(line);
    const t1 = process.hrtime.bigint();
    if (!got) throw new Error('no reply');
    times.push(Number(t1 - t0) / 1000);
  }
  // Baseline in the same process: a bare line pair echoing (no AT interpreter).
  const bare = createLinePair();
  bare.dce.onData((b) => bare.dce.write(b));
  const base: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    bare.dte.write(line);
    base.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { medianUs: median(times), p99Us: percentile(times, 0.99), baselineUs: median(base) };
}

/** Pacing error of a 5 s transfer at each rate, in virtual time. */
function pacingError(rateBps: number): number {
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock);
  let b: LineEndpoint | undefined;
  const answerer: CallTerminal = {
    offerCall: (c) => { c.answer({ rateBps, bytesPerSecond: rateBps / 10, connectText: '', handshakeMs: 0 }, (p) => { b = p; }); return 'ringing'; },
  };
  exchange.addSubscriber('2', answerer);
  let a: LineEndpoint | undefined;
  exchange.addSubscriber('1', { offerCall: () => 'busy' }).dial('2', { bearer: 'analog' }, { onConnect: (p) => { a = p; }, onFail: () => {} });
  clock.advance(1000);
  const bytes = (rateBps / 10) * 5;
  let total = 0;
  let done = 0;
  const start = clock.now();
  b!.onData((d) => { total += d.length; if (total === bytes) done = clock.now() - start; });
  a!.write(new Uint8Array(bytes));
  clock.advance(10_000);
  return ((done - 5000) / 5000) * 100;
}

const rt = atRoundTrip(20_000);
console.log(`AT round trip (in-process): median ${rt.medianUs.toFixed(1)} µs, p99 ${rt.p99Us.toFixed(1)} µs; bare echo pair ${rt.baselineUs.toFixed(2)} µs (ratio ${(rt.medianUs / rt.baselineUs).toFixed(1)}×)`);
for (const rate of [2400, 9600, 14400]) {
  console.log(`pacing error, 5 s at ${rate} bit/s: ${pacingError(rate).toFixed(3)} %`);
}
