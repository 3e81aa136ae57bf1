import { addWhiteNoise, dialTone, mix, noiseLevelForSnr } from '../../dsp/audio-channel.js';
import { generateDtmf, type DtmfGeneratorOptions } from '../../dsp/dtmf-generator.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { ALL_DIGITS, interruptedDigits, randomDigits } from './dtmf-channel.js';
import { talkOffCorpus } from './talk-off-corpus.js';

/**
 * A Q.24-style conformance recording for the speed benchmark (bench/dtmf.ts):
 * the cases of test/dtmf/ one after the other — all digits, frequency offsets
 * inside ±1.5 % and beyond ±3.5 %, twist, levels −4…−39 dBm0, 40/45/60 ms tones
 * and 20 ms ones, interrupted bursts, 15 dB SNR noise, dial tone, generated
 * speech and music — repeated until `seconds` are filled. `sent` holds the
 * digits a Q.24 receiver must report, in order.
 */
export function q24Corpus(seconds: number): { samples: Float32Array; sent: string } {
  const sections = q24Sections();
  const total = Math.round(seconds * 8000);
  const samples = new Float32Array(total);
  let sent = '';
  let at = 0;
  for (let i = 0; at < total; i = (i + 1) % sections.length) {
    const s = sections[i];
    if (at + s.samples.length > total) break;
    samples.set(s.samples, at);
    sent += s.sent;
    at += s.samples.length;
  }
  return { samples, sent };
}

interface Section {
  sent: string;
  samples: Float32Array;
}

function digits(sent: string, options: DtmfGeneratorOptions, expected = sent): Section {
  return { sent: expected, samples: generateDtmf(sent, { leadMs: 20, ...options }).samples };
}

function q24Sections(): Section[] {
  const sections: Section[] = [digits(ALL_DIGITS, {})];
  for (const dev of [-0.015, -0.01, 0.01, 0.015]) {
    sections.push(digits(ALL_DIGITS, { rowOffset: dev, columnOffset: dev }));
    sections.push(digits(ALL_DIGITS, { rowOffset: dev, columnOffset: -dev }));
  }
  for (const dev of [-0.05, -0.035, 0.035, 0.05]) sections.push(digits(ALL_DIGITS, { rowOffset: dev, columnOffset: dev }, ''));
  for (const twistDb of [-8, -4, 4]) sections.push(digits(ALL_DIGITS, { twistDb, levelDbm0: twistDb > 0 ? -10 - twistDb : -10 }));
  // −4 dBm0 is the loudest pair whose 22 kHz conversion does not clip.
  for (let level = -4; level >= -39; level -= 5) sections.push(digits(ALL_DIGITS, { levelDbm0: level }));
  for (const onMs of [40, 45, 60]) sections.push(digits(ALL_DIGITS, { onMs }));
  sections.push(digits(ALL_DIGITS, { onMs: 20 }, ''));
  for (const [first, gap, second] of [
    [25, 10, 25],
    [30, 10, 30],
    [35, 5, 35],
  ]) {
    sections.push({ sent: ALL_DIGITS, samples: interruptedDigits(first, gap, second, 20) });
  }
  const noisyDigits = randomDigits(1000, 15).join('');
  const noisy = generateDtmf(noisyDigits, { levelDbm0: -20, leadMs: 50 }).samples;
  sections.push({ sent: noisyDigits, samples: addWhiteNoise(noisy, noiseLevelForSnr(-20, -20, 15), new SeededRandom(1515)) });
  const underDialTone = generateDtmf(ALL_DIGITS, { levelDbm0: -15, leadMs: 100 }).samples;
  for (const sdt of [10, 0, -10]) sections.push({ sent: ALL_DIGITS, samples: mix(underDialTone, dialTone(underDialTone.length, -15 - sdt)) });
  sections.push({ sent: '', samples: talkOffCorpus(60, 24) });
  return sections;
}
