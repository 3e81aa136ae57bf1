import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

// Q.24 Table A-1: tones of ≥ 40 ms must be accepted, tones < 23 ms (the strictest
// administration's non-operate limit; spandsp's dtmf_rx_tests use the same pair) rejected.
// Lead-ins of 0…50 samples move the tones across every alignment with the 51-sample blocks.
const LEADS_MS = [0, 0.75, 1.5, 2.25, 3, 3.75, 4.5, 5.25, 6];

t.test('tones of 40 ms and longer are always detected, whatever their alignment', async (t) => {
  for (const ch of CHANNELS) {
    for (const onMs of [40, 45, 60]) {
      for (const leadMs of LEADS_MS) {
        const g = generateDtmf(ALL_DIGITS, { onMs, offMs: 50, leadMs });
        t.equal(decode(ch.pass(g.samples)), ALL_DIGITS, `${ch.name}: ${onMs} ms tones after ${leadMs} ms lead all detected`);
      }
    }
  }
});

t.test('tones shorter than 23 ms are never detected, whatever their alignment', async (t) => {
  for (const ch of CHANNELS) {
    for (const onMs of [10, 15, 20, 22.5]) {
      for (const leadMs of LEADS_MS) {
        const g = generateDtmf(ALL_DIGITS, { onMs, offMs: 50, leadMs });
        t.equal(decode(ch.pass(g.samples)), '', `${ch.name}: ${onMs} ms tones after ${leadMs} ms lead all rejected`);
      }
    }
  }
});
