import t from 'tap';
import { addWhiteNoise, noiseLevelForSnr } from '../../dsp/audio-channel.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { CHANNELS, decode, randomDigits } from '../support/dtmf-channel.js';

// spandsp dtmf_rx_tests / Mitel test tape: 1,000 bursts in white noise at 15 dB SNR,
// where the signal power is both tones together. Seeded, so every run is identical.

t.test('all 1,000 bursts are detected, and nothing else, at 15 dB SNR in white noise', async (t) => {
  const digits = randomDigits(1000, 15);
  const g = generateDtmf(digits, { onMs: 50, offMs: 50, levelDbm0: -20, leadMs: 50 });
  const noisy = addWhiteNoise(g.samples, noiseLevelForSnr(-20, -20, 15), new SeededRandom(1515));
  for (const ch of CHANNELS) {
    const got = decode(ch.pass(noisy));
    t.equal(got.length, 1000, `${ch.name}: 1,000 digits reported`);
    t.equal(got, digits.join(''), `${ch.name}: each burst decoded as the digit sent`);
  }
});
