import t from 'tap';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { encodeFrame, FrameDecoder, FRAME_MARKER, type FrameEvent } from '../../firmware-sim/report-frame.js';
import { sampleReport } from '../support/sample-report.js';

/** The longest text line docs/error-report.md allows. */
const MAX_LINE_BYTES = 80;

const report = encodeReport(sampleReport());

/** Events with garbage merged and bytes shown as hex, so split points compare equal. */
function normalize(events: readonly FrameEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const s = e.kind === 'line' ? `line:${e.text}` : e.kind === 'frame' ? `frame:${e.payload.toString('hex')}` : e.kind === 'bad-frame' ? `bad-frame:${e.length}` : `garbage:${e.bytes.toString('hex')}`;
    const last = out.at(-1);
    if (e.kind === 'garbage' && last?.startsWith('garbage:')) out[out.length - 1] = last + e.bytes.toString('hex');
    else out.push(s);
  }
  return out;
}

function feed(chunks: Buffer[]): string[] {
  const d = new FrameDecoder();
  return normalize(chunks.flatMap((c) => d.push(c)));
}

const noise = Buffer.from([0x00, 0xff, 0x02, 0x48, 0x43, 0x46, 0x00, 0x00, 0x00, 0x09, 0x13, 0x37, 0x0d, 0x7f]); // includes a false marker
const stream = Buffer.concat([
  Buffer.from('HELLO HCER/1 PBX0001\r\n'),
  noise,
  encodeFrame(report),
  Buffer.from('ACK 42\r\n'),
  encodeFrame(Buffer.alloc(0)),
  Buffer.from('READY\n'),
]);
const expected = [
  'line:HELLO HCER/1 PBX0001',
  `garbage:${noise.toString('hex')}`,
  `frame:${report.toString('hex')}`,
  'line:ACK 42',
  'frame:',
  'line:READY',
];

t.test('lines, garbage and frames decode from one piece', async (t) => {
  t.same(feed([stream]), expected, 'whole stream yields the lines, the noise and both frames in order');
  t.same(feed([...stream].map((b) => Buffer.of(b))), expected, 'byte-by-byte gives the same events');
});

t.test('every split point gives the same events', async (t) => {
  const bad: number[] = [];
  for (let i = 1; i < stream.length; i++) {
    const got = feed([stream.subarray(0, i), stream.subarray(i)]);
    if (JSON.stringify(got) !== JSON.stringify(expected)) bad.push(i);
  }
  t.same(bad, [], `all ${stream.length - 1} two-piece splits decode identically`);
  const bad3: number[] = [];
  for (let i = 1; i < stream.length - 1; i += 3) {
    const j = i + 1 + ((i * 7) % (stream.length - i - 1));
    const got = feed([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
    if (JSON.stringify(got) !== JSON.stringify(expected)) bad3.push(i);
  }
  t.same(bad3, [], 'three-piece splits decode identically');
});

t.test('a frame damaged in transit is reported once and skipped whole', async (t) => {
  const frame = encodeFrame(report);
  for (const at of [12, 40, frame.length - 1]) {
    const hit = Buffer.from(frame);
    hit[at] ^= 0x01;
    const events = feed([hit, Buffer.from('NEXT\r\n')]);
    t.same(events, [`bad-frame:${report.length}`, 'line:NEXT'], `flip at ${at}: one bad-frame, then the stream resumes`);
  }
});

t.test('a false marker in noise does not swallow the real frame', async (t) => {
  const fake = Buffer.concat([FRAME_MARKER, Buffer.from([0, 0, 0x10, 0, 0, 0, 0, 0])]); // inverted length wrong
  const events = feed([fake, encodeFrame(report)]);
  t.same(events, [`garbage:${fake.toString('hex')}`, `frame:${report.toString('hex')}`], 'noise reported, real frame decoded');
});

t.test('over-long lines and bare noise are garbage, and the buffer stays bounded', async (t) => {
  const d = new FrameDecoder();
  const long = Buffer.from('X'.repeat(MAX_LINE_BYTES + 1) + '\r\n');
  t.same(normalize(d.push(long)), [`garbage:${long.toString('hex')}`], 'a line of 81 characters is garbage, not a line');
  t.same(normalize(d.push(Buffer.from('X'.repeat(MAX_LINE_BYTES) + '\r\n'))), [`line:${'X'.repeat(MAX_LINE_BYTES)}`], 'a line of exactly 80 characters is a line');
  for (let i = 0; i < 1000; i++) d.push(Buffer.from('noise without any newline '));
  t.ok(d.buffered <= MAX_LINE_BYTES + 1, `endless text without LF keeps at most one line buffered (${d.buffered})`);
  const after = normalize(d.push(Buffer.from('tail\r\nREADY\r\n')));
  t.equal(after.length, 2, 'the rest of the over-long run is one garbage event, then one line');
  t.match(after[0], /^garbage:/, 'the end of the over-long run is garbage, not a line');
  t.equal(after[1], 'line:READY', 'the next clean line is read');
});

t.test('reset drops a partial frame after a line break', async (t) => {
  const d = new FrameDecoder();
  const frame = encodeFrame(report);
  d.push(frame.subarray(0, 50));
  t.ok(d.buffered > 0, 'partial frame is held');
  d.reset();
  t.same(normalize(d.push(frame)), [`frame:${report.toString('hex')}`], 'after reset a complete resend decodes cleanly');
});

t.test('a chunk that completes nothing gets an empty list no caller can fill', async (t) => {
  const d = new FrameDecoder();
  const frame = encodeFrame(report);
  const head = d.push(frame.subarray(0, 20));
  const body = d.push(frame.subarray(20, 40));
  t.same([head.length, body.length], [0, 0], 'the header and part of the body are no event yet');
  t.ok(Object.isFrozen(body), 'the empty list is frozen: it is shared by every such push (a fleet pushes millions)');
  t.throws(() => (body as FrameEvent[]).push({ kind: 'line', text: 'x' }), 'pushing into it fails rather than leaking into the next call');
  t.same(normalize(d.push(frame.subarray(40))), [`frame:${report.toString('hex')}`], 'the rest completes the frame');
});

t.test('a chunk ending in part of the marker keeps it for the next chunk, at every length of the part', async (t) => {
  const frame = encodeFrame(report);
  for (let n = 1; n < FRAME_MARKER.length; n++) {
    const d = new FrameDecoder();
    const first = normalize(d.push(Buffer.concat([Buffer.from('READY\r\nnoise'), frame.subarray(0, n)])));
    t.same(first, ['line:READY', `garbage:${Buffer.from('noise').toString('hex')}`], `${n} marker byte(s) at the end are held, the noise before them is garbage`);
    t.equal(d.buffered, n, `${n} marker byte(s) wait for the rest`);
    t.same(normalize(d.push(frame.subarray(n))), [`frame:${report.toString('hex')}`], `with ${n} marker byte(s) held the frame decodes`);
  }
  const d = new FrameDecoder();
  t.same(normalize(d.push(Buffer.from('\x02HX', 'latin1'))), ['garbage:02'], 'a marker start that goes wrong is not held as a marker: its STX is garbage');
  t.equal(d.buffered, 2, 'the printable rest waits as the start of a line');
});
