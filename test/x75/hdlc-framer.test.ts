import t from 'tap';
import { HDLC_ESCAPE, HDLC_FLAG, HdlcFramer, type FrameErrorKind } from '../../modem/hdlc-framer.js';
import { SeededRandom } from '../../core/seeded-random.js';

function collect(framer: HdlcFramer): { frames: Uint8Array[]; errors: FrameErrorKind[] } {
  const frames: Uint8Array[] = [];
  const errors: FrameErrorKind[] = [];
  framer.onFrame((f) => frames.push(f));
  framer.onError((e) => errors.push(e));
  return { frames, errors };
}

t.test('flags and escapes inside content are stuffed and restored', async (t) => {
  const framer = new HdlcFramer();
  const content = Uint8Array.from([0x01, 0x00, HDLC_FLAG, HDLC_ESCAPE, 0x20, 0x5e, 0x5d, 0xff]);
  const wire = framer.encode(content);
  t.equal(wire[0], HDLC_FLAG, 'starts with a flag');
  t.equal(wire[wire.length - 1], HDLC_FLAG, 'ends with a flag');
  t.notOk(wire.subarray(1, -1).includes(HDLC_FLAG), 'no bare flag between the delimiting flags');
  const { frames, errors } = collect(framer);
  framer.push(wire);
  t.same(frames.map((f) => [...f]), [[...content]], 'content restored exactly');
  t.same(errors, [], 'no errors');
});

t.test('round trip of many frames with the stream split at every awkward boundary', async (t) => {
  const rnd = new SeededRandom(7);
  const tx = new HdlcFramer();
  const contents: Uint8Array[] = [];
  for (let i = 0; i < 60; i++) {
    const c = new Uint8Array(2 + Math.floor(rnd.next() * 40));
    for (let j = 0; j < c.length; j++) c[j] = rnd.next() < 0.3 ? (rnd.next() < 0.5 ? HDLC_FLAG : HDLC_ESCAPE) : Math.floor(rnd.next() * 256);
    contents.push(c);
  }
  const wire = Buffer.concat(contents.map((c) => tx.encode(c)));
  for (const chunk of [1, 2, 3, 7, 64]) {
    const rx = new HdlcFramer();
    const { frames, errors } = collect(rx);
    for (let i = 0; i < wire.length; i += chunk) rx.push(wire.subarray(i, i + chunk));
    t.same(frames.map((f) => Buffer.from(f).toString('hex')), contents.map((c) => Buffer.from(c).toString('hex')), `all frames back in order with ${chunk}-byte chunks`);
    t.same(errors, [], `no errors with ${chunk}-byte chunks`);
  }
});

t.test('bytes before the first flag are ignored; shared and repeated flags are fill', async (t) => {
  const framer = new HdlcFramer();
  const a = framer.encode(Uint8Array.from([0x03, 0x01]));
  const b = framer.encode(Uint8Array.from([0x01, 0x21]));
  const { frames, errors } = collect(framer);
  framer.push(Uint8Array.from([0x41, 0x42, 0x7d]));
  framer.push(a);
  framer.push(Uint8Array.from([HDLC_FLAG, HDLC_FLAG]));
  framer.push(b.subarray(1)); // share the closing flag of the previous frame
  t.same(frames.map((f) => [...f]), [[0x03, 0x01], [0x01, 0x21]], 'both frames received');
  t.same(errors, [], 'noise before the first flag is not an error');
});

t.test('damaged frames are reported and dropped, the next good frame still arrives', async (t) => {
  const framer = new HdlcFramer({ maxFrameContent: 8 });
  const good = framer.encode(Uint8Array.from([0x03, 0x00, 0x41]));
  const corrupt = Uint8Array.from(good);
  corrupt[3] ^= 0x10;
  const { frames, errors } = collect(framer);
  framer.push(corrupt);
  framer.push(Uint8Array.from([HDLC_FLAG, 0x03, HDLC_FLAG])); // too short
  framer.push(framer.encode(new Uint8Array(20))); // longer than maxFrameContent
  framer.push(Uint8Array.from([HDLC_FLAG, 0x03, 0x00, HDLC_ESCAPE, HDLC_FLAG])); // abort
  framer.push(good);
  t.same(errors, ['fcs', 'too-short', 'too-long', 'abort'], 'each damage kind reported once, in order');
  t.same(frames.map((f) => [...f]), [[0x03, 0x00, 0x41]], 'only the good frame delivered');
  t.same(framer.stats, { framesOk: 1, fcsErrors: 1, tooShort: 1, tooLong: 1, aborts: 1 }, 'counters match');
});

t.test('random garbage never throws and yields no frame with a bad FCS', async (t) => {
  const rnd = new SeededRandom(99);
  const framer = new HdlcFramer({ maxFrameContent: 300 });
  const { frames } = collect(framer);
  const garbage = new Uint8Array(200_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = rnd.next() < 0.05 ? HDLC_FLAG : Math.floor(rnd.next() * 256);
  t.doesNotThrow(() => framer.push(garbage), 'garbage is swallowed');
  const total = framer.stats.fcsErrors + framer.stats.tooShort + framer.stats.tooLong + framer.stats.aborts + framer.stats.framesOk;
  t.ok(total > 1000, `garbage was parsed into candidate frames (${total})`);
  t.ok(frames.length <= 2, `random frames pass the FCS only by 2^-16 chance (${frames.length})`);
});

t.test('bad option is a clear error', async (t) => {
  t.throws(() => new HdlcFramer({ maxFrameContent: 1 }), /maxFrameContent/, 'too small a bound is refused');
});
