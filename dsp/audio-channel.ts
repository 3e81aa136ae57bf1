import { dbm0ToAmplitude } from './audio-level.js';
import { DIAL_TONE_FREQUENCIES_HZ, DIAL_TONE_LEVEL_DBM0 } from './dial-tone.js';
import { g711RoundTrip, type CompandingLaw } from './g711.js';
import { SeededRandom } from '../core/seeded-random.js';
import { addTones, type Tone } from './tone-generator.js';

/**
 * Impairments a voice path adds between a DTMF sender and a receiver: noise,
 * loss, dial tone and G.711 quantisation. Pure functions on 8 kHz float audio.
 */

/** Returns `signal` plus white Gaussian noise of mean power `noiseDbm0` (sine-equivalent level). */
export function addWhiteNoise(signal: Float32Array, noiseDbm0: number, rng: SeededRandom): Float32Array {
  // A sine of amplitude A has power A²/2; give the noise the same power.
  const sigma = dbm0ToAmplitude(noiseDbm0) / Math.SQRT2;
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] + sigma * rng.gaussian();
  return out;
}

/**
 * Noise level for a signal-to-noise ratio, where the signal power is the sum of
 * both DTMF tones during tone-on (each at `toneDbm0` and `toneDbm0 + twistDb`).
 */
export function noiseLevelForSnr(lowToneDbm0: number, highToneDbm0: number, snrDb: number): number {
  const power = 10 ** (lowToneDbm0 / 10) + 10 ** (highToneDbm0 / 10);
  return 10 * Math.log10(power) - snrDb;
}

/** Returns `signal` attenuated by `lossDb` (negative values amplify). */
export function attenuate(signal: Float32Array, lossDb: number): Float32Array {
  const g = 10 ** (-lossDb / 20);
  return signal.map((v) => v * g);
}

/** `length` samples of dial tone at `levelDbm0` per frequency, at `sampleRate`. */
export function dialTone(length: number, levelDbm0 = DIAL_TONE_LEVEL_DBM0, sampleRate = 8000): Float32Array {
  return addTones(new Float32Array(length), dialToneTones(levelDbm0), sampleRate);
}

/** The two tones of dial tone at `levelDbm0` each. */
export function dialToneTones(levelDbm0: number): Tone[] {
  const amplitude = dbm0ToAmplitude(levelDbm0);
  return DIAL_TONE_FREQUENCIES_HZ.map((hz) => ({ hz, amplitude }));
}

/** Sample-wise sum of two signals; the result is as long as the longer one. */
export function mix(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(Math.max(a.length, b.length));
  out.set(a);
  for (let i = 0; i < b.length; i++) out[i] += b[i];
  return out;
}

/** A digital trunk: G.711 encode and decode (A-law unless told otherwise). */
export function digitalTrunk(signal: Float32Array, law: CompandingLaw = 'alaw'): Float32Array {
  return g711RoundTrip(signal, law);
}
