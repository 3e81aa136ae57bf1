import t from 'tap';
import { FCS16_CHECK, FCS16_GOOD_RESIDUE, FCS16_INIT, fcs16, fcs16Update } from '../../modem/fcs16.js';

t.test('CRC-16/X.25 catalogue check value', async (t) => {
  t.equal(fcs16(Buffer.from('123456789', 'ascii')), 0x906e, '"123456789" gives 0x906E');
  t.equal(FCS16_CHECK, 0x906e, 'the named constant is the catalogue value');
  t.equal(fcs16(new Uint8Array(0)), 0x0000, 'empty input: preset 0xFFFF complemented');
});

t.test('data followed by its FCS (low octet first) leaves the good residue', async (t) => {
  const data = Buffer.from([0x03, 0x3f]); // SABM P=1 to address A, X.25 Appendix I example 1
  const fcs = fcs16(data);
  const frame = Buffer.concat([data, Buffer.from([fcs & 0xff, fcs >>> 8])]);
  t.equal(fcs16Update(FCS16_INIT, frame), FCS16_GOOD_RESIDUE, 'register ends at 0xF0B8');
  frame[0] ^= 0x01;
  t.not(fcs16Update(FCS16_INIT, frame), FCS16_GOOD_RESIDUE, 'one flipped bit breaks the residue');
});

t.test('incremental update equals one-shot', async (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog');
  const split = fcs16Update(fcs16Update(FCS16_INIT, data, 0, 10), data, 10);
  t.equal(split ^ 0xffff, fcs16(data), 'split at 10 gives the same FCS');
});
