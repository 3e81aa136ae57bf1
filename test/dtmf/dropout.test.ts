import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { ALL_DIGITS, CHANNELS, decode } from '../support/dtmf-channel.js';

/** A digit whose tone is interrupted for `gapMs` in its middle: two 50 ms pieces. */
function interrupted(gapMs: number, leadMs: number): Float32Array {
  const parts: Float32Array[] = [];
  for (const d of ALL_DIGITS) {
    parts.push(generateDtmf(d, { onMs: 50, offMs: gapMs, leadMs }).samples);
    parts.push(generateDtmf(d, { onMs: 50, offMs: 60 }).samples);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

t.test('a dropout of up to 10 ms does not split a digit (Q.24 signal interruption)', async (t) => {
  for (const ch of CHANNELS) {
    for (const gapMs of [2, 5, 8, 10]) {
      for (const leadMs of [0, 2, 4]) {
        t.equal(decode(ch.pass(interrupted(gapMs, leadMs))), ALL_DIGITS, `${ch.name}: ${gapMs} ms gap bridged (lead ${leadMs} ms)`);
      }
    }
  }
});

t.test('a pause of 40 ms or more separates two presses of the same digit', async (t) => {
  for (const ch of CHANNELS) {
    for (const gapMs of [40, 50]) {
      const twice = [...ALL_DIGITS].map((d) => d + d).join('');
      t.equal(decode(ch.pass(interrupted(gapMs, 0))), twice, `${ch.name}: ${gapMs} ms pause gives two digits`);
    }
  }
});
