import t from 'tap';
import { LapbPair, payload } from '../support/lapb-harness.js';

t.test('data arrives in order, segmented to N1, never more than k frames outstanding', async (t) => {
  const pair = new LapbPair({ params: { n1: 128, k: 7 } });
  pair.establish();
  const data = payload(128 * 30 + 17);
  // A's V(A) as seen from the frames A has received; outstanding = N(S) - V(A) + 1.
  let va = 0;
  let maxOutstanding = 0;
  const receive = pair.a.receiveFrame.bind(pair.a);
  pair.a.receiveFrame = (f) => { if ((f[1] & 3) !== 3) va = f[1] >> 5; receive(f); };
  pair.drop = (dir, content) => {
    if (dir === 'a>b' && (content[1] & 1) === 0) maxOutstanding = Math.max(maxOutstanding, ((((content[1] >> 1) & 7) - va + 8) % 8) + 1);
    return false;
  };
  const unacked = (): number => pair.a.pendingBytes;
  pair.a.send(data);
  t.equal(pair.count(/^a>b I /), 7, 'exactly a window of k=7 I frames sent before any acknowledgement');
  t.ok(unacked() > 0, 'data waits for acknowledgement');
  pair.run(2000);
  const got = Buffer.concat(pair.receivedByB);
  t.ok(got.equals(data), 'B received the bytes identically');
  t.equal(pair.receivedByB.length, 31, '30 full I fields and one of 17 octets');
  t.ok(pair.receivedByB.slice(0, 30).every((b) => b.length === 128), 'every full segment is N1 = 128 octets');
  const ns = pair.trace.filter((l) => l.startsWith('a>b I ')).map((l) => Number(/ns=(\d)/.exec(l)?.[1]));
  t.same(ns, Array.from({ length: 31 }, (_, i) => i % 8), 'N(S) counts modulo 8 without gaps');
  t.equal(pair.a.stats.iFramesRetransmitted, 0, 'nothing retransmitted on a clean line');
  t.equal(unacked(), 0, 'everything acknowledged');
  t.equal(maxOutstanding, 7, 'the window filled up to k = 7 and never beyond');
});

t.test('both directions at once piggyback acknowledgements on I frames', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  const ab = payload(5000, 1);
  const ba = payload(5000, 2);
  pair.a.send(ab);
  pair.b.send(ba);
  pair.run(3000);
  t.ok(Buffer.concat(pair.receivedByB).equals(ab), 'A to B intact');
  t.ok(Buffer.concat(pair.receivedByA).equals(ba), 'B to A intact');
  const iFrames = pair.count(/ I ns=/);
  const rr = pair.count(/ RR /);
  t.ok(rr < iFrames / 2, `few separate RR frames (${rr}) for ${iFrames} I frames`);
});

t.test('small writes coalesce into one I field up to N1', async (t) => {
  const pair = new LapbPair({ params: { k: 1 } });
  pair.establish();
  pair.a.send(Buffer.from('A'));   // goes out at once, fills the window of 1
  for (const ch of 'BCDEFG') pair.a.send(Buffer.from(ch));
  pair.run(500);
  t.same(pair.receivedByB.map((b) => b.toString()), ['A', 'BCDEFG'], 'waiting writes travelled as one I field');
});

t.test('a lone I frame is acknowledged within T2 by RR', async (t) => {
  const pair = new LapbPair({ params: { t2Ms: 100 } });
  pair.establish();
  pair.a.send(Buffer.from('hi'));
  pair.run(50);
  t.equal(pair.count(/^b>a RR/), 0, 'no RR before T2');
  pair.run(100);
  t.equal(pair.count(/^b>a RR nr=1 rsp/), 1, 'one RR response with N(R)=1 after T2');
  t.equal(pair.a.pendingBytes, 0, 'A has nothing unacknowledged');
});

t.test('bad parameters are refused with a clear error', async (t) => {
  t.throws(() => new LapbPair({ params: { k: 8 } }), /k must be 1\.\.7/, 'k=8 is impossible modulo 8');
  t.throws(() => new LapbPair({ params: { t1Ms: 100, t2Ms: 100 } }), /T2 must be >= 0 and < T1/, 'T2 must be below T1');
  t.throws(() => new LapbPair({ params: { n2: 0 } }), /N2/, 'N2 at least 1');
  t.throws(() => new LapbPair({ params: { n1: 0 } }), /N1/, 'N1 at least 1');
});
