import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { ALL_DIGITS, CHANNELS } from '../support/dtmf-channel.js';

t.test('all 16 digits at 50 ms on / 50 ms off are each reported once, in order, with time and level', async (t) => {
  const g = generateDtmf(ALL_DIGITS, { onMs: 50, offMs: 50, levelDbm0: -10, leadMs: 30 });
  for (const ch of CHANNELS) {
    const found = detectDtmf(ch.pass(g.samples));
    t.equal(found.map((d) => d.digit).join(''), ALL_DIGITS, `${ch.name}: every digit once, in keypad order`);
    found.forEach((d, i) => {
      const sent = g.digits[i];
      t.ok(Math.abs(d.startMs - sent.startSample / 8) <= 4, `${ch.name} ${d.digit}: start ${d.startMs} ms within 4 ms of ${sent.startSample / 8} ms`);
      t.ok(Math.abs(d.endMs - sent.endSample / 8) <= 4, `${ch.name} ${d.digit}: end ${d.endMs} ms within 4 ms of ${sent.endSample / 8} ms`);
      t.ok(Math.abs(d.lowDbm0 + 10) <= 0.5 && Math.abs(d.highDbm0 + 10) <= 0.5, `${ch.name} ${d.digit}: tone levels ${d.lowDbm0}/${d.highDbm0} dBm0 within 0.5 dB of −10`);
      t.ok(Math.abs(d.levelDbfs - (d.levelDbm0 - 3.14)) < 0.02, `${ch.name} ${d.digit}: dBFS is dBm0 − 3.14`);
    });
  }
});
