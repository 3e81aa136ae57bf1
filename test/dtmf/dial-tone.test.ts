import t from 'tap';
import { dialTone, mix } from '../../dsp/audio-channel.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

// spandsp's dial-tone tolerance test: DTMF at −15 dBm0 per tone under 350 + 440 Hz
// dial tone. Signal-to-dial-tone ratio (per tone) from +15 dB down to −10 dB, i.e.
// dial tone up to 10 dB louder than each DTMF tone.

t.test('digits are found under dial tone down to −10 dB signal-to-dial-tone', async (t) => {
  const g = generateDtmf(ALL_DIGITS, { levelDbm0: -15, leadMs: 100 });
  for (const ch of CHANNELS) {
    for (const sdt of [15, 10, 5, 0, -5, -10]) {
      const s = mix(g.samples, dialTone(g.samples.length, -15 - sdt));
      t.equal(decode(ch.pass(s)), ALL_DIGITS, `${ch.name}: all digits at ${sdt} dB signal-to-dial-tone`);
    }
  }
});

t.test('dial tone alone is never taken for a digit', async (t) => {
  for (const ch of CHANNELS) {
    t.equal(decode(ch.pass(dialTone(8000 * 10, -3))), '', `${ch.name}: 10 s of loud dial tone gives no digit`);
  }
});
