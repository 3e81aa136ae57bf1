import t from 'tap';
import type { LinkDownReason } from '../../modem/lapb.js';
import { LapbPair, payload } from '../support/lapb-harness.js';

t.test('200 KB through a line corrupting 1 % of bytes and losing 1 % of frames arrives byte-identical', async (t) => {
  const pair = new LapbPair({ seed: 2026, byteErrorRate: 0.01, frameLossRate: 0.01, latencyMs: 10 });
  const downs: LinkDownReason[] = [];
  pair.a.onLinkDown((r) => downs.push(r));
  pair.b.onLinkDown((r) => downs.push(r));
  pair.a.connect();
  t.ok(pair.clock.runUntilIdleOr(() => pair.a.isUp && pair.b.isUp, 60_000), 'link came up over the noisy line');
  const ab = payload(200 * 1024, 11);
  const ba = payload(20 * 1024, 12);
  pair.a.send(ab);
  pair.b.send(ba);
  const done = (): boolean => pair.a.pendingBytes === 0 && pair.b.pendingBytes === 0 && pair.a.isUp && pair.b.isUp;
  const finished = pair.clock.runUntilIdleOr(done, 24 * 3600_000);
  t.ok(finished, `transfer completed in ${(pair.clock.now() / 1000).toFixed(0)} s of virtual time`);
  t.same(downs, [], 'the link never went down');
  const gotB = Buffer.concat(pair.receivedByB);
  const gotA = Buffer.concat(pair.receivedByA);
  t.equal(gotB.length, ab.length, 'A to B: no octet lost or duplicated');
  t.ok(gotB.equals(ab), 'A to B: byte-identical, in order');
  t.ok(gotA.equals(ba), 'B to A: byte-identical, in order');
  const fcs = pair.framerA.stats.fcsErrors + pair.framerB.stats.fcsErrors;
  t.ok(fcs > 100, `the line really damaged frames (${fcs} FCS errors)`);
  t.ok(pair.a.stats.iFramesRetransmitted > 100, `recovery really happened (${pair.a.stats.iFramesRetransmitted} retransmissions)`);
  t.comment(JSON.stringify({ a: pair.a.stats, framerB: pair.framerB.stats, virtualSeconds: pair.clock.now() / 1000 }));
});
