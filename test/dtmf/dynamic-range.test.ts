import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

// Q.24 asks for a dynamic range of at least 25…35 dB depending on the administration;
// the issue asks ≥ 35 dB. −3 dBm0 per tone is the loudest pair that does not clip.

t.test('every digit is detected from −3 dBm0 down to −38 dBm0 per tone (35 dB)', async (t) => {
  for (const ch of CHANNELS) {
    let lowest = 0;
    for (let level = -3; level >= -38; level--) {
      const g = generateDtmf(ALL_DIGITS, { levelDbm0: level });
      const got = decode(ch.pass(g.samples));
      t.equal(got, ALL_DIGITS, `${ch.name}: all digits at ${level} dBm0`);
      if (got === ALL_DIGITS) lowest = level;
    }
    t.comment(`${ch.name}: dynamic range −3 … ${lowest} dBm0 = ${-3 - lowest} dB`);
  }
});

t.test('tones far below the threshold (−46 dBm0) are not reported', async (t) => {
  for (const ch of CHANNELS) {
    const g = generateDtmf(ALL_DIGITS, { levelDbm0: -46 });
    t.equal(decode(ch.pass(g.samples)), '', `${ch.name}: nothing at −46 dBm0`);
  }
});
