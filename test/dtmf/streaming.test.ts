import t from 'tap';
import { DtmfDetector, DtmfReceiverState, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { floatToPcm16 } from '../../dsp/g711.js';
import { dialTone, mix } from '../../dsp/audio-channel.js';
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

t.test('detectors taking turns on the one shared kernel each keep their own state and options', async (t) => {
  // Every detector of a process runs in one WebAssembly kernel (dsp/dtmf-span-kernel.ts), which swaps each one's state in.
  const digits = generateDtmf('0#7', { leadMs: 3 }).samples;
  const withDialTone = mix(digits, dialTone(digits.length));
  const alone = (o: ConstructorParameters<typeof DtmfDetector>[0], x: Float32Array): DetectedDigit[] => {
    const d = new DtmfDetector(o);
    return [...d.process(x), ...d.flush()];
  };
  const refA = alone({}, g.samples);
  const refB = alone({ filterDialTone: false }, withDialTone);
  const refC = alone({ minLevelDbm0: -20 }, withDialTone);
  const [a, b, c] = [new DtmfDetector(), new DtmfDetector({ filterDialTone: false }), new DtmfDetector({ minLevelDbm0: -20 })];
  const got: DetectedDigit[][] = [[], [], []];
  for (let i = 0; i < Math.max(g.samples.length, withDialTone.length); i += 57) {
    got[0].push(...a.process(g.samples.subarray(i, i + 57)));
    got[1].push(...b.process(withDialTone.subarray(i, i + 57)));
    got[2].push(...c.process(withDialTone.subarray(i, i + 57)));
  }
  got[0].push(...a.flush());
  got[1].push(...b.flush());
  got[2].push(...c.flush());
  t.equal(refA.map((x) => x.digit).join(''), ALL_DIGITS, 'the first detector alone finds every digit');
  t.same(got[0], refA, 'interleaved with two others: the same digits, times and levels as alone');
  t.same(got[1], refB, 'the detector without dial-tone notches: as alone');
  t.same(got[2], refC, 'the detector with a −20 dBm0 threshold: as alone');
  t.not(JSON.stringify(refB), JSON.stringify(alone({}, withDialTone)), 'and the options matter on this audio (notches change the levels)');
  const d = new DtmfDetector();
  d.process(g.samples.subarray(0, 4000));
  a.process(g.samples.subarray(0, 4000));
  d.reset();
  t.same([...d.process(g.samples), ...d.flush()], refA, 'reset while another detector holds the kernel forgets only its own state');
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
