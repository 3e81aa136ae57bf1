import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { encodeWav, readWavFile, readWavFileInPieces, writeWavFile } from '../../src/storage/wav-file.js';

/** Every piece readWavFileInPieces hands over, copied (it reuses its buffer), and what it returned. */
function pieces(path: string, pieceSamples: number, wanted = (): boolean => true): { info: ReturnType<typeof readWavFileInPieces>; parts: number[][] } {
  const parts: number[][] = [];
  const info = readWavFileInPieces(path, wanted, pieceSamples, (p) => parts.push([...p]));
  return { info, parts };
}

/** What readWavFile throws for `path`, or '' when it reads it. */
function wholeError(path: string): string {
  try {
    readWavFile(path);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

t.test('a 16-bit mono file in pieces: the whole file\'s samples, in order, none twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wav-pieces-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const x = Float32Array.from({ length: 10_007 }, (_, i) => Math.sin(i / 5) * 0.7);
  const file = join(dir, 'mono.wav');
  writeWavFile(file, x, { sampleRate: 8000 });
  const whole = [...readWavFile(file).samples];
  for (const size of [1, 1000, 4080, 10_007, 50_000]) {
    const { info, parts } = pieces(file, size);
    t.same(info, { sampleRate: 8000, channels: 1, bitsPerSample: 16, encoding: 'pcm', frames: 10_007 }, `${size}-sample pieces: the header's facts`);
    t.same(parts.flat(), whole, `${size}-sample pieces: the same samples as the whole read`);
    t.ok(parts.every((p) => p.length <= size), `${size}-sample pieces: none longer than asked`);
  }
});

t.test('any other file, or one the caller does not want, is left to the whole read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wav-pieces-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const x = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 5) * 0.7);
  for (const [name, options] of [['8-bit', { sampleRate: 8000, bitsPerSample: 8 }], ['float', { sampleRate: 8000, float: true }], ['24-bit', { sampleRate: 8000, bitsPerSample: 24 }]] as const) {
    const file = join(dir, `${name}.wav`);
    writeWavFile(file, x, options);
    const { info, parts } = pieces(file, 100);
    t.equal(info, undefined, `${name}: not read in pieces`);
    t.same(parts, [], `${name}: no piece handed over`);
  }
  const stereo = join(dir, 'stereo.wav');
  const mono = encodeWav(x, { sampleRate: 8000 });
  // The same bytes declared as two channels of 16 bits.
  mono.writeUInt16LE(2, 22);
  mono.writeUInt32LE(32000, 28);
  mono.writeUInt16LE(4, 32);
  writeFileSync(stereo, mono);
  t.equal(pieces(stereo, 100).info, undefined, 'stereo 16-bit: not read in pieces');
  const file = join(dir, 'mono.wav');
  writeWavFile(file, x, { sampleRate: 44100 });
  t.equal(pieces(file, 100, () => false).info, undefined, 'a file the caller does not want (here: 44.1 kHz for an 8 kHz reader)');
});

t.test('bad files fail with readWavFile\'s message, word for word', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wav-pieces-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = encodeWav(Float32Array.from({ length: 400 }, (_, i) => Math.sin(i)), { sampleRate: 8000 });
  const files: Record<string, Uint8Array | undefined> = {
    empty: new Uint8Array(0),
    junk: Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '),
    'not a wav': Buffer.from('hello world, this is no wave file at all'),
    truncated: good.subarray(0, 300),
    'odd data length': Buffer.concat([good.subarray(0, 40), Buffer.from([0x21, 0x03, 0, 0]), good.subarray(44, 44 + 801)]),
    missing: undefined,
  };
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, `${name}.wav`);
    if (bytes) writeFileSync(path, bytes);
    const expected = wholeError(path);
    t.not(expected, '', `${name}: readWavFile refuses it (${expected})`);
    t.throws(() => readWavFileInPieces(path, () => true, 100, () => undefined), { name: 'WavFormatError', message: expected }, `${name}: the same error in pieces`);
  }
  t.throws(() => readWavFileInPieces(dir, () => true, 100, () => undefined), { name: 'WavFormatError', message: wholeError(dir) }, 'a directory: the same error');
});
