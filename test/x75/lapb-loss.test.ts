import t from 'tap';
import { LapbState } from '../../modem/lapb.js';
import { LapbPair, payload, type Direction } from '../support/lapb-harness.js';

const isI = (dir: Direction, content: Uint8Array, want: Direction): boolean => dir === want && (content[1] & 1) === 0;

t.test('a lost I frame inside a window is recovered by REJ, without waiting for T1', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  let n = 0;
  pair.drop = (dir, c) => isI(dir, c, 'a>b') && ++n === 3; // lose the frame with N(S)=2 once
  const data = payload(128 * 6);
  pair.a.send(data);
  pair.run(100);
  t.ok(Buffer.concat(pair.receivedByB).equals(data), 'all data in order, nothing doubled');
  t.equal(pair.count(/^b>a REJ nr=2 rsp/), 1, 'B asked once for retransmission from N(S)=2');
  t.equal(pair.b.stats.rejSent, 1, 'one REJ counted');
  t.equal(pair.a.stats.iFramesRetransmitted, 4, 'A went back to 2 and resent 2..5');
  t.equal(pair.a.stats.t1Expiries, 0, 'T1 never ran out');
});

t.test('losing the last I frame is recovered by T1 and a polled enquiry', async (t) => {
  const pair = new LapbPair({ params: { t1Ms: 1000 } });
  pair.establish();
  let n = 0;
  pair.drop = (dir, c) => isI(dir, c, 'a>b') && ++n === 1;
  pair.a.send(Buffer.from('only frame'));
  pair.run(999);
  t.same(pair.receivedByB, [], 'nothing arrived before T1');
  pair.run(20);
  t.equal(pair.count(/^a>b RR nr=0 P cmd/), 1, 'A polled with RR command P=1');
  t.equal(pair.count(/^b>a RR nr=0 F rsp/), 1, 'B answered with its N(R)=0 and F=1');
  pair.run(200);
  t.equal(Buffer.concat(pair.receivedByB).toString(), 'only frame', 'the frame arrived once');
  t.equal(pair.a.state, LapbState.InformationTransfer, 'A left timer recovery');
});

t.test('a lost acknowledgement costs a poll, not a duplicate', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  let dropped = 0;
  pair.drop = (dir, c) => dir === 'b>a' && (c[1] & 0x0f) === 0x01 && dropped++ === 0; // first RR from B
  pair.a.send(Buffer.from('abc'));
  pair.run(1500);
  t.equal(dropped >= 1, true, 'the RR was lost');
  t.equal(pair.a.stats.t1Expiries, 1, 'A waited one T1');
  t.same(pair.receivedByB.map(String), ['abc'], 'B delivered once');
  t.equal(pair.a.stats.iFramesRetransmitted, 0, 'the poll answer acknowledged it: no retransmission');
  t.equal(pair.a.pendingBytes, 0, 'nothing left unacknowledged');
});

t.test('lost I frame and lost REJ: T1 polling still recovers', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  let i = 0;
  let rej = 0;
  pair.drop = (dir, c) => (isI(dir, c, 'a>b') && ++i === 2) || (dir === 'b>a' && (c[1] & 0x0f) === 0x09 && rej++ === 0);
  const data = payload(128 * 5, 9);
  pair.a.send(data);
  pair.run(3000);
  t.ok(Buffer.concat(pair.receivedByB).equals(data), 'data intact');
  t.equal(rej, 1, 'the only REJ was lost');
  t.ok(pair.a.stats.t1Expiries >= 1, 'recovered through T1');
});

t.test('a frame with a bad FCS is dropped by the framer and recovered', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  let i = 0;
  pair.mangle = (dir, wire) => {
    if (dir !== 'a>b' || ++i !== 2) return wire;
    const bad = Uint8Array.from(wire);
    bad[10] ^= 0x04;
    return bad;
  };
  const data = payload(128 * 4, 4);
  pair.a.send(data);
  pair.run(2000);
  t.equal(pair.framerB.stats.fcsErrors, 1, 'B saw one FCS error');
  t.ok(Buffer.concat(pair.receivedByB).equals(data), 'data intact, in order, once');
  t.equal(pair.b.stats.rejSent, 1, 'recovery by REJ');
});

t.test('several unanswered polls below N2 still recover', async (t) => {
  const pair = new LapbPair({ params: { n2: 5 } });
  pair.establish();
  let cut = true;
  pair.drop = (dir) => cut && dir === 'b>a';
  pair.a.send(Buffer.from('persistent'));
  pair.run(3500); // T1 at 1 s, polls at 1, 2, 3 s unanswered
  t.equal(pair.a.state, LapbState.TimerRecovery, 'A is in timer recovery');
  t.equal(pair.count(/^a>b RR nr=0 P cmd/), 3, 'three polls so far');
  cut = false;
  pair.run(1500);
  t.equal(pair.a.state, LapbState.InformationTransfer, 'the next poll was answered');
  t.same(pair.receivedByB.map(String), ['persistent'], 'delivered once');
});
