import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

// Q.24 §2 / Table A-1: operate within ±1.5 % of nominal, non-operate beyond ±3.5 %.
const ACCEPT = [-0.015, -0.01, -0.005, 0, 0.005, 0.01, 0.015];
const REJECT = [-0.07, -0.06, -0.05, -0.04, -0.035, 0.035, 0.04, 0.05, 0.06, 0.07];

t.test('100 % detection with both tones, or either tone, off by up to ±1.5 %', async (t) => {
  for (const ch of CHANNELS) {
    for (const dev of ACCEPT) {
      for (const [which, o] of [
        ['both', { rowOffset: dev, columnOffset: dev }],
        ['row', { rowOffset: dev }],
        ['column', { columnOffset: dev }],
        ['opposite', { rowOffset: dev, columnOffset: -dev }],
      ] as const) {
        const g = generateDtmf(ALL_DIGITS, { levelDbm0: -10, ...o });
        t.equal(decode(ch.pass(g.samples)), ALL_DIGITS, `${ch.name}: ${which} tone(s) at ${(dev * 100).toFixed(1)} % all detected`);
      }
    }
  }
});

t.test('no digit at all when a tone is off by ±3.5 % or more', async (t) => {
  for (const ch of CHANNELS) {
    for (const dev of REJECT) {
      for (const [which, o] of [
        ['both', { rowOffset: dev, columnOffset: dev }],
        ['row', { rowOffset: dev }],
        ['column', { columnOffset: dev }],
      ] as const) {
        const g = generateDtmf(ALL_DIGITS, { levelDbm0: -10, ...o });
        t.equal(decode(ch.pass(g.samples)), '', `${ch.name}: ${which} tone(s) at ${(dev * 100).toFixed(1)} % rejected`);
      }
    }
  }
});
