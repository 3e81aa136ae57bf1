import t from 'tap';
import { LapbState, type LinkDownReason } from '../../modem/lapb.js';
import { LapbPair } from '../support/lapb-harness.js';

t.test('A calls, B answers: SABM P / UA F, both up once', async (t) => {
  const pair = new LapbPair();
  const ups: string[] = [];
  pair.a.onLinkUp(() => ups.push('a'));
  pair.b.onLinkUp(() => ups.push('b'));
  const statesA: string[] = [];
  pair.a.onState((s, prev, why) => statesA.push(`${prev}->${s}:${why}`));
  pair.a.connect();
  t.equal(pair.a.state, LapbState.LinkSetup, 'A waits for UA');
  pair.run(50);
  t.same(pair.trace, ['a>b SABM P cmd', 'b>a UA F rsp'], 'one SABM with P=1, one UA with F=1');
  t.equal(pair.a.state, LapbState.InformationTransfer, 'A in information transfer');
  t.equal(pair.b.state, LapbState.InformationTransfer, 'B in information transfer');
  t.same(ups.sort(), ['a', 'b'], 'each side reported link up once');
  t.same(statesA, ['disconnected->link-setup:connect', 'link-setup->information-transfer:ua-received'], 'A went through link set-up');
});

t.test('addresses follow ISO 7776: commands carry the receiver, responses the sender', async (t) => {
  const pair = new LapbPair();
  const wire: Array<[string, number]> = [];
  pair.drop = (dir, content) => { wire.push([dir, content[0]]); return false; };
  pair.a.connect();
  pair.run(50);
  t.same(wire, [['a>b', 0x01], ['b>a', 0x01]], 'DTE SABM goes to address B; DCE UA carries its own address B');
  const pair2 = new LapbPair();
  const wire2: Array<[string, number]> = [];
  pair2.drop = (dir, content) => { wire2.push([dir, content[0]]); return false; };
  pair2.b.connect();
  pair2.run(50);
  t.same(wire2, [['b>a', 0x03], ['a>b', 0x03]], 'DCE SABM goes to address A; DTE UA carries its own address A');
});

t.test('simultaneous SABM from both sides: both answer UA and both come up', async (t) => {
  const pair = new LapbPair();
  pair.a.connect();
  pair.b.connect();
  pair.run(50);
  t.equal(pair.count(/SABM/), 2, 'two SABMs crossed');
  t.equal(pair.count(/UA/), 2, 'each answered with UA');
  t.ok(pair.a.isUp && pair.b.isUp, 'both up');
  pair.a.send(Buffer.from('after collision'));
  pair.run(500);
  t.equal(Buffer.concat(pair.receivedByB).toString(), 'after collision', 'data flows after the collision');
});

t.test('collision with a lost UA: the late SABM resets A without losing its first data', async (t) => {
  const pair = new LapbPair();
  let dropped = false;
  pair.drop = (dir, content) => {
    if (!dropped && dir === 'a>b' && content[1] === 0x73) { dropped = true; return true; } // UA F=1 from A
    return false;
  };
  pair.a.connect();
  pair.b.connect();
  pair.run(20);
  t.ok(pair.a.isUp, 'A got its UA and is up');
  t.equal(pair.b.state, LapbState.LinkSetup, 'B is still waiting for the lost UA');
  pair.a.send(Buffer.from('early data'));
  pair.run(3000);
  t.ok(pair.a.isUp && pair.b.isUp, 'both up after B retried SABM');
  t.equal(Buffer.concat(pair.receivedByB).toString(), 'early data', 'the I frame B ignored during set-up arrives once');
  t.equal(pair.a.stats.linkResets, 1, 'A counted one reset by the peer');
});

t.test('no answer: N2 retransmissions of SABM after T1 each, then link down', async (t) => {
  const pair = new LapbPair({ params: { t1Ms: 1000, n2: 3 } });
  pair.lineUp = false;
  const downs: LinkDownReason[] = [];
  pair.a.onLinkDown((r) => downs.push(r));
  pair.a.connect();
  pair.run(3999);
  t.equal(pair.count(/SABM/), 4, 'first SABM plus N2=3 retries by 3 s');
  t.same(downs, [], 'not yet given up before the last T1 runs out');
  pair.run(1);
  t.equal(pair.a.state, LapbState.Disconnected, 'disconnected after the last T1');
  t.same(downs, ['n2-exceeded'], 'one link-down with reason');
});

t.test('DM F=1 in answer to SABM refuses the link', async (t) => {
  const pair = new LapbPair();
  const downs: LinkDownReason[] = [];
  pair.a.onLinkDown((r) => downs.push(r));
  pair.a.connect();
  pair.a.receiveFrame(Uint8Array.of(0x01, 0x1f)); // DM F=1 from the DCE
  t.equal(pair.a.state, LapbState.Disconnected, 'back to disconnected');
  t.same(downs, ['refused'], 'reported as refused');
});

t.test('disconnected station answers DISC and polled commands with DM', async (t) => {
  const pair = new LapbPair();
  pair.b.receiveFrame(Uint8Array.of(0x01, 0x53)); // DISC P=1 to B
  pair.b.receiveFrame(Uint8Array.of(0x01, 0x11)); // RR P=1 command to B
  pair.b.receiveFrame(Uint8Array.of(0x01, 0x01)); // RR P=0: no answer
  pair.run(10);
  t.same(pair.trace, ['b>a DM F rsp', 'b>a DM F rsp'], 'two DM F=1, nothing for the unpolled RR');
  t.equal(pair.b.state, LapbState.Disconnected, 'still disconnected');
});

t.test('send before set-up is refused clearly; send during set-up is queued', async (t) => {
  const pair = new LapbPair();
  t.throws(() => pair.a.send(Buffer.from('x')), /cannot send in state disconnected/, 'clear error when disconnected');
  pair.a.connect();
  pair.a.send(Buffer.from('queued'));
  pair.run(500);
  t.equal(Buffer.concat(pair.receivedByB).toString(), 'queued', 'queued data sent once up');
});
