import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { LinkDownReason } from '../../modem/lapb.js';
import { X75Link, type ByteChannel } from '../../modem/x75-link.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { payload } from '../support/lapb-harness.js';

/** Two ByteChannels joined with a delay on the clock, and a switch to cut the line. */
function clockedPipe(clock: VirtualClock, latencyMs = 5): { left: ByteChannel; right: ByteChannel; cut: () => void; written: number[] } {
  const listeners: Record<'left' | 'right', Array<(b: Uint8Array) => void>> = { left: [], right: [] };
  let up = true;
  const written = [0, 0];
  const side = (me: 'left' | 'right', other: 'left' | 'right', idx: number): ByteChannel => ({
    write: (bytes) => {
      written[idx] += bytes.length;
      const copy = Uint8Array.from(bytes);
      clock.setTimer(latencyMs, () => { if (up) for (const l of listeners[other]) l(copy); });
    },
    onData: (l) => { listeners[me].push(l); },
  });
  return { left: side('left', 'right', 0), right: side('right', 'left', 1), cut: () => { up = false; }, written };
}

function linkPair(): { clock: VirtualClock; ta: X75Link; pbx: X75Link; pipe: ReturnType<typeof clockedPipe> } {
  const clock = new VirtualClock(0);
  const pipe = clockedPipe(clock);
  const ta = new X75Link(pipe.left, { clock, role: 'dte', description: 'technician TA' });
  const pbx = new X75Link(pipe.right, { clock, role: 'dce', description: 'PBX B-channel modem' });
  return { clock, ta, pbx, pipe };
}

t.test('both ends connect, link comes up, endpoints carry bytes both ways', async (t) => {
  const { clock, ta, pbx } = linkPair();
  const ups: string[] = [];
  ta.onLinkUp(() => ups.push('ta'));
  pbx.onLinkUp(() => ups.push('pbx'));
  ta.connect();
  pbx.connect();
  clock.advance(100);
  t.same(ups.sort(), ['pbx', 'ta'], 'both sides up');
  const atPbx: Buffer[] = [];
  const atTa: Buffer[] = [];
  pbx.endpoint.onData((d) => atPbx.push(Buffer.from(d)));
  ta.endpoint.onData((d) => atTa.push(Buffer.from(d)));
  ta.endpoint.write('12345\r');
  const big = payload(10_000);
  pbx.endpoint.write(big);
  clock.advance(3000);
  t.equal(Buffer.concat(atPbx).toString('latin1'), '12345\r', 'string written by the TA arrives at the PBX');
  t.ok(Buffer.concat(atTa).equals(big), '10,000 binary octets arrive at the TA intact');
  let control = 0;
  pbx.endpoint.onControl(() => control++);
  t.doesNotThrow(() => pbx.endpoint.setLines({ dcd: true, ri: false }), 'setLines is a harmless no-op');
  t.equal(control, 0, 'no control lines on X.75');
  t.match(pbx.endpoint.description, /PBX B-channel modem/, 'description for logs');
});

t.test('closing one endpoint sends DISC; both endpoints close and both links release once', async (t) => {
  const { clock, ta, pbx } = linkPair();
  ta.connect();
  clock.advance(100);
  const events: string[] = [];
  ta.endpoint.onClose(() => events.push('ta closed'));
  pbx.endpoint.onClose(() => events.push('pbx closed'));
  ta.onReleased((r) => events.push(`ta released ${r}`));
  pbx.onReleased((r) => events.push(`pbx released ${r}`));
  ta.endpoint.close();
  ta.endpoint.close();
  clock.advance(100);
  t.same(events, ['ta closed', 'pbx closed', 'pbx released disc-received', 'ta released local-disconnect'], 'each event exactly once, endpoint before release');
  ta.endpoint.write('ignored');
  t.equal(clock.pending, 0, 'no timers left');
});

/** A link brought up, with the TA's endpoint closes and release reasons recorded. */
function upAndWatched(): ReturnType<typeof linkPair> & { reasons: LinkDownReason[]; closes: number[] } {
  const pair = linkPair();
  pair.ta.connect();
  pair.clock.advance(100);
  const reasons: LinkDownReason[] = [];
  const closes: number[] = [];
  pair.ta.endpoint.onClose(() => closes.push(pair.clock.now()));
  pair.ta.onReleased((r) => reasons.push(r));
  return { ...pair, reasons, closes };
}

t.test('a dead line: endpoint closes after N2 unanswered polls and the link releases without DISC', async (t) => {
  const { clock, ta, pbx, pipe, reasons, closes } = upAndWatched();
  pipe.cut();
  ta.endpoint.write('lost');
  clock.advance(60_000);
  t.equal(closes.length, 1, 'endpoint closed once');
  t.same(reasons, ['n2-exceeded'], 'released because the peer stopped answering');
  t.ok(pbx.isUp, 'the silent far side has not noticed yet (it has nothing to send)');
});

t.test('channelClosed stops at once and writes nothing more', async (t) => {
  const { clock, ta, pipe, reasons, closes } = upAndWatched();
  const before = pipe.written[0];
  ta.channelClosed();
  ta.endpoint.write('after hang-up');
  clock.advance(10_000);
  t.equal(pipe.written[0], before, 'no bytes written after the call dropped');
  t.equal(closes.length, 1, 'endpoint closed');
  t.same(reasons, ['destroyed'], 'released with reason destroyed');
});

t.test('works over an in-process LineEndpoint pair with synchronous delivery', async (t) => {
  const clock = new VirtualClock(0);
  const line = createLinePair('b-channel');
  const ta = new X75Link(line.dte, { clock, role: 'dte' });
  const pbx = new X75Link(line.dce, { clock, role: 'dce' });
  const got: Buffer[] = [];
  pbx.endpoint.onData((d) => got.push(Buffer.from(d)));
  pbx.onLinkUp(() => pbx.endpoint.write('PIN? '));
  const atTa: Buffer[] = [];
  ta.endpoint.onData((d) => atTa.push(Buffer.from(d)));
  ta.connect();
  t.ok(ta.isUp && pbx.isUp, 'up without any time passing');
  ta.endpoint.write('12345\r');
  clock.advance(1000);
  t.equal(Buffer.concat(atTa).toString(), 'PIN? ', 'greeting sent from onLinkUp arrives');
  t.equal(Buffer.concat(got).toString(), '12345\r', 'reply arrives');
  t.equal(ta.station.stats.t1Expiries + pbx.station.stats.t1Expiries, 0, 'no spurious timeouts');
});

t.test('garbage on the channel does not crash the link or corrupt the stream', async (t) => {
  const clock = new VirtualClock(0);
  const listeners: Array<(b: Uint8Array) => void> = [];
  const noisy: ByteChannel = { write: () => undefined, onData: (l) => { listeners.push(l); } };
  const link = new X75Link(noisy, { clock, role: 'dce' });
  const got: Uint8Array[] = [];
  link.endpoint.onData((d) => got.push(d));
  const junk = payload(50_000, 77);
  t.doesNotThrow(() => { for (const l of listeners) l(junk); clock.advance(10_000); }, 'random bytes swallowed');
  t.same(got, [], 'no user data made up from noise');
});

t.test('a frame reject ends the call cleanly on both sides', async (t) => {
  const { clock, ta, pbx } = linkPair();
  ta.connect();
  clock.advance(100);
  const events: string[] = [];
  ta.onReleased((r) => events.push(`ta ${r}`));
  pbx.onReleased((r) => events.push(`pbx ${r}`));
  pbx.station.receiveFrame(Uint8Array.of(0x01, 0x0d)); // undefined control: PBX answers FRMR
  clock.advance(5000);
  t.same(events.sort(), ['pbx frmr-sent', 'ta frmr-received'], 'both released, each with the first cause');
  t.equal(clock.pending, 0, 'nothing left running');
  t.ok(ta.station.state === 'disconnected' && pbx.station.state === 'disconnected', 'both stations disconnected, no reset loop');
});
