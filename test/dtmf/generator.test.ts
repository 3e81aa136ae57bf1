import t from 'tap';
import { meanPower, powerToDbm0 } from '../../dsp/audio-level.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { DtmfDigitError, parseDtmfDigits } from '../../dsp/dtmf-tones.js';

t.test('durations, level, twist and sample rate are as asked', async (t) => {
  const g = generateDtmf('1#', { onMs: 70, offMs: 30, levelDbm0: -12, twistDb: 3, sampleRate: 16000, leadMs: 10 });
  t.equal(g.samples.length, 160 + 2 * (1120 + 480), 'lead + 2 × (on + off) samples at 16 kHz');
  t.same(g.digits.map((d) => [d.digit, d.startSample, d.endSample]), [['1', 160, 1280], ['#', 1760, 2880]], 'digit positions reported');
  const power = meanPower(g.samples.subarray(160, 1280));
  const expected = 10 * Math.log10(10 ** (-12 / 10) + 10 ** (-9 / 10));
  t.ok(Math.abs(powerToDbm0(power) - expected) < 0.05, `tone pair power ${powerToDbm0(power).toFixed(2)} dBm0 ≈ ${expected.toFixed(2)}`);
  t.equal(meanPower(g.samples.subarray(1280, 1760)), 0, 'silence between digits');
});

t.test('bad digits and bad timing are refused with the position of the fault', async (t) => {
  t.throws(() => parseDtmfDigits('12E4'), /'E' at position 3 is not a DTMF digit/, 'E named with its position');
  t.throws(() => parseDtmfDigits(''), DtmfDigitError, 'empty string refused');
  t.same(parseDtmfDigits('abcd*#'), ['A', 'B', 'C', 'D', '*', '#'], 'lower-case A-D accepted');
  t.throws(() => generateDtmf('1', { onMs: -5 }), /onMs must be a non-negative number/, 'negative duration refused');
  t.throws(() => generateDtmf('1', { sampleRate: 2000 }), /too low/, 'sample rate below 2 × 1633 Hz refused');
});
