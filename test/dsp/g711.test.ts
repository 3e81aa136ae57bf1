import t from 'tap';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../../dsp/g711.js';

// Reference points from G.711 Tables 1a/2a (A-law) and 1b/2b (µ-law), in 16-bit units.
t.test('A-law matches the G.711 code table at its landmarks', async (t) => {
  t.equal(linearToAlaw(0), 0xd5, 'zero encodes to 0xD5 (positive, even bits inverted)');
  t.equal(linearToAlaw(-1), 0x55, 'minus one LSB encodes to 0x55');
  t.equal(alawToLinear(0xd5), 8, '0xD5 decodes to +8 (first decision interval midpoint)');
  t.equal(alawToLinear(0x55), -8, '0x55 decodes to −8');
  t.equal(alawToLinear(0xaa), 32256, '0xAA is the largest positive value, 32256');
  t.equal(alawToLinear(0x2a), -32256, '0x2A is the largest negative value');
  t.equal(linearToAlaw(32767), 0xaa, 'full scale saturates at 0xAA');
  t.equal(linearToAlaw(-32768), 0x2a, 'negative full scale saturates at 0x2A');
});

t.test('µ-law matches the G.711 code table at its landmarks', async (t) => {
  t.equal(linearToUlaw(0), 0xff, 'zero encodes to 0xFF');
  t.equal(ulawToLinear(0xff), 0, '0xFF decodes to 0');
  t.equal(ulawToLinear(0x7f), 0, '0x7F (negative zero) decodes to 0');
  t.equal(ulawToLinear(0x80), 32124, '0x80 is the largest positive value, 32124');
  t.equal(ulawToLinear(0x00), -32124, '0x00 is the largest negative value');
  t.equal(linearToUlaw(32767), 0x80, 'full scale saturates at 0x80');
});

// Quantisation step (16-bit units) of the segment holding decoded value y, and the
// input bits each law drops before quantising (A-law keeps 13 bits, µ-law 14).
for (const [name, enc, dec, stepOf, dropped] of [
  ['A-law', linearToAlaw, alawToLinear, (y: number) => Math.max(16, 2 ** (Math.floor(Math.log2(Math.abs(y))) - 4)), 8],
  ['µ-law', linearToUlaw, ulawToLinear, (y: number) => 2 ** (Math.floor(Math.log2(Math.abs(y) + 132)) - 4), 4],
] as const) {
  t.test(`${name}: every 16-bit input encodes to the interval around it, monotonically, and decode∘encode is idempotent`, async (t) => {
    let worst = 0;
    let monotonic = true;
    let prev = -Infinity;
    for (let x = -32768; x <= 32767; x++) {
      const y = dec(enc(x));
      if (y < prev) monotonic = false;
      prev = y;
      const err = (Math.abs(y - x) - dropped) / (stepOf(y) / 2);
      if (Math.abs(x) < 32000 && err > worst) worst = err;
    }
    t.ok(monotonic, `${name}: decoded value never decreases as the input grows`);
    t.ok(worst <= 1, `${name}: decoded value within half a step of the input (worst ${worst.toFixed(2)} half-steps beyond the dropped bits)`);
    let idempotent = true;
    for (let c = 0; c < 256; c++) if (dec(enc(dec(c))) !== dec(c)) idempotent = false;
    t.ok(idempotent, `${name}: every code's decoded value re-encodes to the same value`);
  });
}
