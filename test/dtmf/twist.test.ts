import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

// Q.24 Table A-1 (and spandsp's naming): "normal" twist = low group louder (line loss
// hits the high group), accepted to 8 dB; "reverse" twist = high group louder, to 4 dB.
// The generator's twistDb is high minus low, so normal twist is negative there.

t.test('normal twist up to 8 dB and reverse twist up to 4 dB are accepted', async (t) => {
  for (const ch of CHANNELS) {
    for (const twistDb of [-8, -6, -4, 0, 2, 4]) {
      for (const level of [-5, -20]) {
        const g = generateDtmf(ALL_DIGITS, { twistDb, levelDbm0: twistDb > 0 ? level - twistDb : level });
        t.equal(decode(ch.pass(g.samples)), ALL_DIGITS, `${ch.name}: twist ${twistDb} dB (high − low), stronger tone ${level} dBm0, all detected`);
      }
    }
  }
});

t.test('twist clearly beyond the limits (11 dB normal, 7 dB reverse) is rejected', async (t) => {
  for (const ch of CHANNELS) {
    for (const twistDb of [-14, -11, 7, 10]) {
      const g = generateDtmf(ALL_DIGITS, { twistDb, levelDbm0: twistDb > 0 ? -8 - twistDb : -8 });
      t.equal(decode(ch.pass(g.samples)), '', `${ch.name}: twist ${twistDb} dB rejected`);
    }
  }
});
