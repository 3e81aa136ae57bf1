import { dbm0ToAmplitude } from '../../dsp/audio-level.js';
import { SeededRandom } from '../../core/seeded-random.js';

/**
 * A deterministic speech-and-music-like corpus for DTMF talk-off measurement
 * (docs/dtmf.md "Talk-off corpus"). Made of:
 * - vowels: a glottal pulse train (harmonics falling 12 dB/octave) with a pitch
 *   glide between 80 and 300 Hz, through three formant resonators (Peterson &
 *   Barney 1952 average formants of English vowels), with jitter and shimmer;
 * - music: chords of 2–4 notes (110–1760 Hz, equal temperament) with 8 harmonics
 *   of 1/k amplitude, attack/decay envelope, some with vibrato;
 * - fricatives: white noise through a one-pole high-pass, 30–150 ms;
 * - silence gaps, and levels spread from −35 to −5 dBm0.
 * The same seed always gives the same samples.
 */
export function talkOffCorpus(seconds: number, seed = 1952): Float32Array {
  const rate = 8000;
  const rng = new SeededRandom(seed);
  const out = new Float32Array(Math.round(seconds * rate));
  let at = 0;
  while (at < out.length) {
    const pick = rng.next();
    const len = Math.min(out.length - at, Math.round(rate * (pick < 0.5 ? rng.range(0.08, 0.35) : pick < 0.8 ? rng.range(0.2, 0.9) : rng.range(0.03, 0.15))));
    const seg = pick < 0.5 ? vowel(len, rng) : pick < 0.8 ? chord(len, rng) : fricative(len, rng);
    const gain = dbm0ToAmplitude(rng.range(-35, -5)) / Math.max(1e-9, peak(seg));
    for (let i = 0; i < len; i++) out[at + i] = seg[i] * gain * envelope(i, len);
    at += len + (rng.next() < 0.3 ? Math.round(rate * rng.range(0.02, 0.3)) : 0);
  }
  return out;
}

/** Peterson & Barney (1952) male averages F1, F2, F3 in Hz. */
const VOWEL_FORMANTS: ReadonlyArray<readonly [number, number, number]> = [
  [730, 1090, 2440], // /ɑ/ father
  [270, 2290, 3010], // /i/ beet
  [300, 870, 2240], // /u/ boot
  [530, 1840, 2480], // /ɛ/ bet
  [570, 840, 2410], // /ɔ/ bought
  [660, 1720, 2410], // /æ/ bat
  [490, 1350, 1690], // /ɝ/ bird
  [440, 1020, 2240], // /ʊ/ book
  [390, 1990, 2550], // /ɪ/ bit
  [520, 1190, 2390], // /ʌ/ but
];

function vowel(len: number, rng: SeededRandom): Float32Array {
  const rate = 8000;
  const f0a = rng.range(80, 300);
  const f0b = f0a * rng.range(0.7, 1.4);
  const formants = VOWEL_FORMANTS[Math.floor(rng.next() * VOWEL_FORMANTS.length)];
  const source = new Float32Array(len);
  let phase = 0;
  for (let i = 0; i < len; i++) {
    const f0 = (f0a + ((f0b - f0a) * i) / len) * (1 + 0.01 * rng.gaussian()); // glide + jitter
    phase += f0 / rate;
    if (phase >= 1) phase -= 1;
    // Rosenberg-like pulse: rising cosine for 60 % of the period, falling 40 %, then closed.
    source[i] = phase < 0.6 ? 0.5 * (1 - Math.cos((Math.PI * phase) / 0.6)) : phase < 0.8 ? Math.cos((Math.PI * (phase - 0.6)) / 0.4) : 0;
  }
  let y = differentiate(source);
  for (const [k, f] of formants.entries()) y = resonator(y, f * rng.range(0.9, 1.1), 60 + 40 * k);
  return y;
}

function chord(len: number, rng: SeededRandom): Float32Array {
  const rate = 8000;
  const root = 45 + Math.floor(rng.next() * 36); // MIDI A2 … G#5
  const shapes = [[0, 4, 7], [0, 3, 7], [0, 4, 7, 10], [0, 7], [0, 5, 9], [0, 4, 7, 11], [0, 12]];
  const shape = shapes[Math.floor(rng.next() * shapes.length)];
  const vibrato = rng.next() < 0.4 ? rng.range(0.002, 0.01) : 0;
  const out = new Float32Array(len);
  const decay = Float64Array.from({ length: len }, (_, i) => Math.exp((-3 * i) / len));
  // Phase of a note with vibrato: ∫ f·(1 + v·sin(2π·5.5·t)) dt, per unit of f.
  const warp = Float64Array.from({ length: len }, (_, i) => i / rate - (vibrato / (2 * Math.PI * 5.5)) * (Math.cos((2 * Math.PI * 5.5 * i) / rate) - 1));
  for (const step of shape) {
    const f = 440 * 2 ** ((root + step - 69) / 12);
    for (let h = 1; h <= 8 && f * h < 3900; h++) {
      const a = 1 / h;
      const p0 = rng.next() * 2 * Math.PI;
      const w = 2 * Math.PI * f * h;
      for (let i = 0; i < len; i++) out[i] += a * Math.sin(p0 + w * warp[i]) * decay[i];
    }
  }
  return out;
}

function fricative(len: number, rng: SeededRandom): Float32Array {
  const out = new Float32Array(len);
  const a = rng.range(0.3, 0.9);
  let prev = 0;
  for (let i = 0; i < len; i++) {
    const x = rng.gaussian();
    out[i] = x - a * prev;
    prev = x;
  }
  return out;
}

function differentiate(x: Float32Array): Float32Array {
  return x.map((v, i) => v - (i > 0 ? x[i - 1] : 0));
}

/** Two-pole resonator at `freq` Hz with bandwidth `bw` Hz, unity peak gain. */
function resonator(x: Float32Array, freq: number, bw: number): Float32Array {
  const rate = 8000;
  const r = Math.exp((-Math.PI * bw) / rate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate);
  const a2 = -r * r;
  const g = 1 - r;
  const y = new Float32Array(x.length);
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = g * x[i] + a1 * y1 + a2 * y2;
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

function peak(x: Float32Array): number {
  let p = 0;
  for (const v of x) if (Math.abs(v) > p) p = Math.abs(v);
  return p;
}

/** 10 ms raised-cosine fade in and out, so segments do not click. */
function envelope(i: number, len: number): number {
  const ramp = 80;
  if (i < ramp) return 0.5 * (1 - Math.cos((Math.PI * i) / ramp));
  if (i > len - ramp) return 0.5 * (1 - Math.cos((Math.PI * (len - i)) / ramp));
  return 1;
}
