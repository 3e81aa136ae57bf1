import t from 'tap';
import { addWhiteNoise, noiseLevelForSnr } from '../../dsp/audio-channel.js';
import { DEFAULT_LOW_TONE_DBM0 } from '../../dsp/dtmf-generator.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { ALL_DIGITS, CHANNELS, decode, interruptedDigits } from '../support/dtmf-channel.js';

t.test('a dropout of up to 10 ms does not split a digit (Q.24 signal interruption)', async (t) => {
  for (const ch of CHANNELS) {
    for (const gapMs of [2, 5, 8, 10]) {
      for (const leadMs of [0, 2, 4]) {
        t.equal(decode(ch.pass(interruptedDigits(50, gapMs, 50, leadMs))), ALL_DIGITS, `${ch.name}: ${gapMs} ms gap bridged (lead ${leadMs} ms)`);
      }
    }
  }
});

t.test('a pause of 40 ms or more separates two presses of the same digit', async (t) => {
  for (const ch of CHANNELS) {
    for (const gapMs of [40, 50]) {
      const twice = [...ALL_DIGITS].map((d) => d + d).join('');
      t.equal(decode(ch.pass(interruptedDigits(50, gapMs, 50))), twice, `${ch.name}: ${gapMs} ms pause gives two digits`);
    }
  }
});

// Q.24's interruption rule counts the whole burst: a 60–80 ms signal with a 5–10 ms
// dropout is one digit even when neither piece alone is 40 ms long (30 + 10 + 30 ms,
// down to 25 + 10 + 25 ms). Leads of 0…4 ms move the pieces across the 4.25 ms blocks.
t.test('a burst of 60–80 ms with a 5–10 ms dropout between short halves is one digit', async (t) => {
  for (const ch of CHANNELS) {
    for (const burstMs of [60, 70, 80]) {
      for (const gapMs of [5, 7.5, 10]) {
        const halfMs = (burstMs - gapMs) / 2;
        for (const leadMs of [0, 1, 2, 3, 4]) {
          t.equal(
            decode(ch.pass(interruptedDigits(halfMs, gapMs, halfMs, leadMs))),
            ALL_DIGITS,
            `${ch.name}: ${halfMs} + ${gapMs} + ${halfMs} ms is one digit each (lead ${leadMs} ms)`,
          );
        }
      }
    }
    for (const [first, second] of [
      [20, 40],
      [40, 20],
    ]) {
      t.equal(decode(ch.pass(interruptedDigits(first, 10, second))), ALL_DIGITS, `${ch.name}: ${first} + 10 + ${second} ms is one digit each`);
    }
  }
});

t.test('an interrupted burst in 15 dB SNR noise is still one digit', async (t) => {
  const clean = interruptedDigits(25, 10, 25, 1);
  const noisy = addWhiteNoise(clean, noiseLevelForSnr(DEFAULT_LOW_TONE_DBM0, DEFAULT_LOW_TONE_DBM0, 15), new SeededRandom(24));
  for (const ch of CHANNELS) t.equal(decode(ch.pass(noisy)), ALL_DIGITS, `${ch.name}: 25 + 10 + 25 ms at 15 dB SNR, one digit each`);
});
