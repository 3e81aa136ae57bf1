import t from 'tap';
import { LapbState, type LinkDownReason } from '../../modem/lapb.js';
import { LapbPair } from '../support/lapb-harness.js';

t.test('line dead during transfer: N2 unanswered polls, link-down, link reset by SABM', async (t) => {
  const pair = new LapbPair({ params: { t1Ms: 1000, n2: 4 } });
  pair.establish();
  const downs: LinkDownReason[] = [];
  pair.a.onLinkDown((r) => downs.push(r));
  pair.lineUp = false;
  pair.a.send(Buffer.from('into the void'));
  pair.run(4999);
  t.equal(pair.count(/^a>b RR nr=0 P cmd/), 4, 'N2 = 4 polls at T1 intervals');
  t.same(downs, [], 'still trying');
  pair.run(1);
  t.same(downs, ['n2-exceeded'], 'link-down after the N2-th poll went unanswered');
  t.equal(pair.a.state, LapbState.LinkSetup, 'A resets the link with SABM');
  t.equal(pair.a.pendingBytes, 0, 'unacknowledged data discarded and reported by link-down');
  t.equal(pair.a.stats.linkResets, 1, 'one reset counted');
  pair.lineUp = true;
  pair.run(1100);
  t.ok(pair.a.isUp && pair.b.isUp, 'link re-established when the line came back');
});

t.test('invalid N(R) is answered with FRMR (Z) carrying control, V(S), V(R)', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  const frmr: Uint8Array[] = [];
  pair.drop = (dir, c) => { if (dir === 'b>a' && (c[1] & ~0x10) === 0x87) frmr.push(Uint8Array.from(c)); return false; };
  const downs: LinkDownReason[] = [];
  pair.b.onLinkDown((r) => downs.push(r));
  pair.b.receiveFrame(Uint8Array.of(0x03, 0x61)); // RR response from the DTE (address A) acknowledging N(R)=3, which B never sent
  t.equal(frmr.length, 1, 'one FRMR sent');
  t.same([...frmr[0]], [0x01, 0x87, 0x61, 0x10, 0x08], 'FRMR from B: rejected control 0x61, V(S)=0 C/R=1 V(R)=0, Z');
  t.equal(pair.b.state, LapbState.FrameReject, 'B in frame-reject condition');
  t.same(downs, ['frmr-sent'], 'B reported link-down');
  pair.run(100);
  t.equal(pair.a.state, LapbState.InformationTransfer, 'A reset the link after the FRMR');
  t.equal(pair.b.state, LapbState.InformationTransfer, 'B back up after A’s SABM');
  t.equal(pair.a.stats.frmrReceived, 1, 'A counted the FRMR');
});

t.test('other FRMR causes: undefined control (W), S frame with info (W+X), I field over N1 (Y)', async (t) => {
  const cases: Array<[string, Uint8Array, number]> = [
    ['undefined control', Uint8Array.of(0x01, 0x0d), 0x01], // SREJ is not part of LAPB
    ['RR with information', Uint8Array.of(0x01, 0x01, 0x41), 0x03],
    ['I field longer than N1', Uint8Array.from([0x01, 0x00, ...new Uint8Array(129)]), 0x04],
  ];
  for (const [name, frame, bits] of cases) {
    const pair = new LapbPair();
    pair.establish();
    let info: number[] = [];
    pair.drop = (dir, c) => { if (dir === 'b>a' && (c[1] & ~0x10) === 0x87) info = [...c.subarray(2)]; return false; };
    pair.b.receiveFrame(frame);
    t.equal(info[2], bits, `${name}: reason bits 0x${bits.toString(16)}`);
    t.equal(info[0], frame[1], `${name}: rejected control field quoted`);
  }
});

t.test('no answer to FRMR: repeated N2 times, then the rejecting side resets', async (t) => {
  const pair = new LapbPair({ params: { n2: 2 } });
  pair.establish();
  pair.lineUp = false;
  pair.b.receiveFrame(Uint8Array.of(0x01, 0x0d));
  pair.run(2999);
  t.equal(pair.count(/^b>a FRMR/), 3, 'FRMR sent and repeated N2 = 2 times');
  pair.run(1);
  t.equal(pair.b.state, LapbState.LinkSetup, 'B starts a reset with SABM');
});

t.test('DISC: peer answers UA, both sides report link-down once', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  const downs: string[] = [];
  pair.a.onLinkDown((r) => downs.push(`a:${r}`));
  pair.b.onLinkDown((r) => downs.push(`b:${r}`));
  pair.a.disconnect();
  t.equal(pair.a.state, LapbState.DisconnectRequest, 'A waits for UA');
  pair.run(100);
  t.same(pair.trace, ['a>b DISC P cmd', 'b>a UA F rsp'], 'DISC P=1 answered by UA F=1');
  t.equal(pair.a.state, LapbState.Disconnected, 'A disconnected');
  t.equal(pair.b.state, LapbState.Disconnected, 'B disconnected');
  t.same(downs.sort(), ['a:local-disconnect', 'b:disc-received'], 'one link-down each');
  t.throws(() => pair.a.send(Buffer.from('late')), /cannot send/, 'sending after disconnect is refused');
});

t.test('DISC to a peer that is already gone: DM ends it; no answer ends it after N2', async (t) => {
  const pair = new LapbPair({ params: { n2: 2 } });
  pair.establish();
  pair.b.destroy();
  pair.a.disconnect();
  pair.run(100);
  t.equal(pair.a.state, LapbState.DisconnectRequest, 'a destroyed peer stays silent');
  pair.run(3000);
  t.equal(pair.count(/^a>b DISC/), 3, 'DISC repeated N2 = 2 times');
  t.equal(pair.a.state, LapbState.Disconnected, 'A gave up and is disconnected');
  const pair2 = new LapbPair();
  pair2.establish();
  pair2.a.receiveFrame(Uint8Array.of(0x01, 0x0f)); // DM from the DCE while up
  t.equal(pair2.a.state, LapbState.Disconnected, 'DM in information transfer ends the link');
});

t.test('destroy stops timers and ignores later frames', async (t) => {
  const pair = new LapbPair();
  pair.lineUp = false;
  pair.a.connect();
  pair.a.destroy();
  t.equal(pair.clock.pending, 0, 'no timer left behind by A');
  t.doesNotThrow(() => pair.a.receiveFrame(Uint8Array.of(0x03, 0x73)), 'frames after destroy are ignored');
  t.throws(() => pair.a.connect(), /destroyed/, 'connect after destroy is a clear error');
});
