import t from 'tap';
import { resample } from '../../dsp/resampler.js';

function tone(freq: number, rate: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function rms(x: Float32Array): number {
  // Skip the edges, where the kernel runs off the signal.
  let s = 0;
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

t.test('pass band tones keep their level when converting 44.1 kHz, 48 kHz and 11.025 kHz to 8 kHz', async (t) => {
  for (const rate of [44100, 48000, 11025, 16000]) {
    for (const f of [300, 697, 1633, 3000]) {
      const out = resample(tone(f, rate, 0.2), rate, 8000);
      t.equal(out.length, Math.floor((Math.round(rate * 0.2) * 8000) / rate), `${rate} Hz: output length scales with the rate`);
      const db = 20 * Math.log10(rms(out) / (0.5 / Math.SQRT2));
      t.ok(Math.abs(db) < 0.1, `${rate} → 8000 Hz: ${f} Hz tone level within 0.1 dB (${db.toFixed(3)} dB)`);
    }
  }
});

t.test('tones above 4 kHz are removed instead of aliasing into the telephone band', async (t) => {
  for (const f of [4200, 5000, 6303, 7303, 12000]) {
    const out = resample(tone(f, 44100, 0.2), 44100, 8000);
    const db = 20 * Math.log10(rms(out) / (0.5 / Math.SQRT2));
    t.ok(db < -60, `${f} Hz (would alias to ${Math.abs(8000 * Math.round(f / 8000) - f)} Hz) attenuated by ${(-db).toFixed(1)} dB`);
  }
});

t.test('bad rates are rejected with a clear error; equal rates copy', async (t) => {
  t.throws(() => resample(new Float32Array(4), 0, 8000), /sample rates must be positive/, 'rate 0 rejected');
  t.throws(() => resample(new Float32Array(4), 8000, Number.NaN), /sample rates must be positive/, 'NaN rejected');
  const x = new Float32Array([1, 2, 3]);
  const y = resample(x, 8000, 8000);
  t.same([...y], [1, 2, 3], 'same rate returns the same samples');
  t.not(y, x, 'as a copy');
});
