import { digitalTrunk } from '../../dsp/audio-channel.js';
import { detectDtmf, type DetectedDigit, type DtmfDetectorOptions } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { DTMF_DIGITS, type DtmfDigit } from '../../dsp/dtmf-tones.js';
import { SeededRandom } from '../../core/seeded-random.js';

/** Every conformance rule is checked on the clean linear path and through a G.711 A-law trunk. */
export const CHANNELS = [
  { name: 'linear', pass: (s: Float32Array): Float32Array => s },
  { name: 'A-law', pass: (s: Float32Array): Float32Array => digitalTrunk(s, 'alaw') },
] as const;

/** Digits the detector found in `samples`, as one string. */
export function decode(samples: Float32Array, options?: DtmfDetectorOptions): string {
  return detectDtmf(samples, options)
    .map((d: DetectedDigit) => d.digit)
    .join('');
}

export const ALL_DIGITS = DTMF_DIGITS.join('');

/** `count` random digits from a seeded generator, so failures reproduce. */
export function randomDigits(count: number, seed: number): DtmfDigit[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, () => DTMF_DIGITS[Math.floor(rng.next() * DTMF_DIGITS.length)]);
}

/** Every digit as `firstMs` of tone, a dropout of `gapMs`, and `secondMs` more tone; 60 ms pause after each. */
export function interruptedDigits(firstMs: number, gapMs: number, secondMs: number, leadMs = 0): Float32Array {
  const parts = [...ALL_DIGITS].flatMap((d) => [
    generateDtmf(d, { onMs: firstMs, offMs: gapMs, leadMs }).samples,
    generateDtmf(d, { onMs: secondMs, offMs: 60 }).samples,
  ]);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
