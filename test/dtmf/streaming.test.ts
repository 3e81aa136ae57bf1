import t from 'tap';
import { DtmfDetector, DtmfReceiverState, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { floatToPcm16 } from '../../dsp/g711.js';
import { ALL_DIGITS } from '../support/dtmf-channel.js';

const g = generateDtmf(ALL_DIGITS, { leadMs: 7 });

t.test('block size does not change the result: whole file, 1-sample, 80-sample and odd blocks agree', async (t) => {
  const whole = new DtmfDetector();
  const reference = [...whole.process(g.samples), ...whole.flush()];
  t.equal(reference.map((d) => d.digit).join(''), ALL_DIGITS, 'whole-file run finds every digit');
  for (const size of [1, 80, 103, 4001]) {
    const d = new DtmfDetector();
    const got: DetectedDigit[] = [];
    for (let i = 0; i < g.samples.length; i += size) got.push(...d.process(g.samples.subarray(i, i + size)));
    got.push(...d.flush());
    t.same(got, reference, `${size}-sample blocks give identical digits, times and levels`);
  }
});

t.test('Int16 input is scaled like float input; each digit reaches onDigit exactly once', async (t) => {
  const pcm = Int16Array.from(g.samples, floatToPcm16);
  const d = new DtmfDetector();
  const seen: string[] = [];
  d.onDigit = (x) => seen.push(x.digit);
  const returned = [...d.process(pcm), ...d.flush()];
  t.equal(seen.join(''), ALL_DIGITS, 'onDigit called once per digit');
  t.equal(returned.map((x) => x.digit).join(''), ALL_DIGITS, 'the same digits returned');
  t.ok(returned.every((x) => Math.abs(x.lowDbm0 + 10) < 0.3), 'levels from Int16 match the −10 dBm0 sent');
  t.equal(d.samplesProcessed, pcm.length, 'time base counts every sample');
});

t.test('flush reports a digit still sounding at the end; reset restarts time', async (t) => {
  const d = new DtmfDetector();
  const tone = generateDtmf('5', { onMs: 200, offMs: 0 }).samples;
  t.same(d.process(tone), [], 'nothing reported while the tone lasts');
  t.equal(d.state, DtmfReceiverState.Active, 'receiver is in the Active state');
  const flushed = d.flush();
  t.equal(flushed.length, 1, 'flush reports the sounding digit');
  t.equal(flushed[0].digit, '5', 'as a 5');
  t.equal(d.state, DtmfReceiverState.Idle, 'and returns to Idle');
  t.same(d.flush(), [], 'a second flush reports nothing');
  d.reset();
  t.equal(d.samplesProcessed, 0, 'reset restarts the time base');
});

t.test('bad options are refused clearly', async (t) => {
  t.throws(() => new DtmfDetector({ minHits: 0 }), /minHits/, 'minHits 0 refused');
  t.throws(() => new DtmfDetector({ maxMisses: 1.5 }), /maxMisses/, 'fractional maxMisses refused');
  t.throws(() => new DtmfDetector({ minLevelDbm0: Number.NaN }), /minLevelDbm0/, 'NaN level refused');
});
