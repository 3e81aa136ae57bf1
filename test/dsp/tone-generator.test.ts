import t from 'tap';
import { addTones } from '../../dsp/tone-generator.js';

const RATE = 8000;

t.test('one tone: phase zero at the start, the given peak, the given frequency', async (t) => {
  const out = addTones(new Float32Array(RATE), [{ hz: 1000, amplitude: 0.5 }], RATE);
  t.equal(out[0], 0, 'starts at phase zero');
  t.ok(Math.abs(out[2] - 0.5) < 1e-6, `a quarter period in (2 samples at 1 kHz) is the peak: ${out[2]}`);
  t.ok(Math.abs(out[8]) < 1e-6, `one period later back at zero: ${out[8]}`);
  t.ok(Math.max(...out) <= 0.5 + 1e-6, 'never above the peak');
});

t.test('two tones add; what is in the buffer stays', async (t) => {
  const base = new Float32Array(16).fill(0.25);
  addTones(base, [{ hz: 1000, amplitude: 0.5 }, { hz: 2000, amplitude: 0.1 }], RATE);
  const expected = (i: number): number => 0.25 + 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE) + 0.1 * Math.sin((2 * Math.PI * 2000 * i) / RATE);
  for (const i of [1, 3, 5, 7]) t.ok(Math.abs(base[i] - expected(i)) < 1e-6, `sample ${i} is the sum`);
});

t.test('start and length place a burst; it starts at phase zero there', async (t) => {
  const out = addTones(new Float32Array(40), [{ hz: 1000, amplitude: 1 }], RATE, { start: 10, length: 8 });
  t.same([...out.subarray(0, 10)], new Array(10).fill(0), 'silence before');
  t.same([...out.subarray(18)], new Array(22).fill(0), 'silence after');
  t.equal(out[10], 0, 'phase zero at the burst start');
  t.ok(Math.abs(out[12] - 1) < 1e-6, 'peak a quarter period into the burst');
});

t.test('phase: a tone rendered block by block is the tone rendered at once', async (t) => {
  const tone = [{ hz: 440, amplitude: 0.3 }, { hz: 350, amplitude: 0.3 }];
  const whole = addTones(new Float32Array(300), tone, RATE);
  const first = addTones(new Float32Array(160), tone, RATE);
  const second = addTones(new Float32Array(140), tone, RATE, { phase: 160 });
  const joined = [...first, ...second];
  t.ok(joined.every((v, i) => Math.abs(v - whole[i]) < 1e-6), 'no phase jump at the block boundary');
});
