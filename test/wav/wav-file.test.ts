import t from 'tap';
import { floatSamples } from '../../dsp/pcm.js';
import { encodeWav, parseWav, toRate, WavFormatError } from '../../src/storage/wav-file.js';

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i / 3) * 0.8);
}

t.test('PCM 8/16/24/32-bit and float32 round-trip within their resolution', async (t) => {
  const x = ramp(500);
  for (const [bits, float, tol] of [[8, false, 1 / 64], [16, false, 1 / 16384], [24, false, 1e-6], [32, false, 1e-7], [32, true, 0]] as const) {
    const wav = parseWav(encodeWav(x, { sampleRate: 11025, bitsPerSample: bits, float }));
    t.equal(wav.sampleRate, 11025, `${bits}-bit${float ? ' float' : ''}: rate kept`);
    t.equal(wav.encoding, float ? 'float' : 'pcm', `${bits}-bit: encoding named`);
    t.equal(wav.samples.length, 500, `${bits}-bit${float ? ' float' : ''}: every sample read`);
    const read = floatSamples(wav.samples);
    const worst = Math.max(...x.map((v, i) => Math.abs(v - read[i])));
    t.ok(worst <= tol, `${bits}-bit${float ? ' float' : ''}: worst error ${worst} ≤ ${tol}`);
  }
});

t.test('16-bit mono comes as the file\'s own 16-bit values, a view of its bytes: no conversion, no copy', async (t) => {
  const pcm = [0, 1, -1, 32767, -32768, 12345];
  const bytes = encodeWav(Float32Array.from(pcm, (v) => v / 32768), { sampleRate: 8000 });
  const wav = parseWav(bytes);
  t.ok(wav.samples instanceof Int16Array, 'the samples are an Int16Array');
  t.same([...wav.samples], pcm, 'holding the file\'s values exactly');
  t.equal(wav.samples.buffer, bytes.buffer, 'in the file\'s own memory (no copy)');
  t.equal(toRate(wav), wav.samples, 'at 8 kHz toRate hands them on as they are');
  t.same([...floatSamples(wav.samples)], pcm.map((v) => v / 32768), 'floatSamples scales them to ±1 exactly');
  const odd = Buffer.alloc(bytes.length + 1);
  bytes.copy(odd, 1);
  const shifted = parseWav(odd.subarray(1));
  t.same([...shifted.samples], pcm, 'a file image at an odd address is realigned by one copy, same values');
  t.ok(toRate(wav, 16000) instanceof Float32Array, 'another rate is resampled as floats');
});

/** Builds a WAV image by hand for formats the writer does not produce. */
function handmade(tag: number, channels: number, bits: number, frames: number[][], extensible = false): Buffer {
  const bps = bits / 8;
  const data = Buffer.alloc(frames.length * channels * bps);
  frames.forEach((f, i) => f.forEach((v, c) => data.writeIntLE(v, (i * channels + c) * bps, bps)));
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(8000, 4);
  fmt.writeUInt32LE(8000 * channels * bps, 8);
  fmt.writeUInt16LE(channels * bps, 12);
  fmt.writeUInt16LE(bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(tag, 24);
  }
  const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'ascii'), Buffer.from(Uint32Array.of(body.length).buffer), body]);
  const list = chunk('LIST', Buffer.from('INFOjunk!', 'ascii')); // odd size: tests pad-byte handling
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), list, Buffer.alloc(1), chunk('data', data)]);
  return Buffer.concat([Buffer.from('RIFF'), Buffer.from(Uint32Array.of(body.length).buffer), body]);
}

t.test('stereo is mixed to mono; extensible headers and odd-sized extra chunks are understood', async (t) => {
  const wav = parseWav(handmade(1, 2, 16, [[16384, -16384], [16384, 0]], true));
  t.equal(wav.channels, 2, 'two channels reported');
  t.same([...wav.samples], [0, 0.25], 'channels averaged');
});

t.test('G.711 A-law and µ-law WAV files are decoded', async (t) => {
  t.same([...parseWav(handmade(6, 1, 8, [[0xd5 - 256], [0xaa - 256]])).samples].map((v) => Math.round(v * 32768)), [8, 32256], 'A-law codes decoded');
  t.same([...parseWav(handmade(7, 1, 8, [[-1], [-128]])).samples].map((v) => Math.round(v * 32768)), [0, 32124], 'µ-law codes decoded');
});

t.test('corrupt, truncated and unsupported files give clear errors', async (t) => {
  const good = encodeWav(ramp(100), { sampleRate: 8000 });
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /too short/],
    ['text', Buffer.from('hello, this is not audio at all'), /not a WAV file/],
    ['cut in the data', good.subarray(0, good.length - 51), /truncated: data chunk declares 200 bytes but only 149/],
    ['cut in the header', good.subarray(0, 30), /'fmt ' chunk truncated|no 'data' chunk/],
    ['no data chunk', good.subarray(0, 36), /no 'data' chunk/],
    ['ADPCM', handmade(2, 1, 16, [[0]]), /unsupported WAV format tag 0x0002/],
    ['12-bit PCM', (() => { const b = Buffer.from(good); b.writeUInt16LE(12, 34); return b; })(), /unsupported PCM sample size 12/],
    ['zero rate', (() => { const b = Buffer.from(good); b.writeUInt32LE(0, 24); return b; })(), /implausible sample rate 0/],
    ['bad block align', (() => { const b = Buffer.from(good); b.writeUInt16LE(7, 32); return b; })(), /block align 7/],
  ];
  for (const [name, bytes, pattern] of cases) {
    t.throws(() => parseWav(bytes), pattern, `${name}: rejected with a clear message`);
    t.throws(() => parseWav(bytes), WavFormatError, `${name}: as a WavFormatError`);
  }
});
