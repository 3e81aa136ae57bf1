import t from 'tap';
import { FCS16_INIT, fcs16, fcs16Update } from '../../modem/fcs16.js';

/**
 * FCS-16 against published values only, never against our own constants:
 * the CRC-16/X.25 catalogue entry (check 0x906E for "123456789", residue
 * 0xF0B8) and the four frames whose bits ITU-T X.25 Appendix I prints
 * ("Examples of data link layer transmitted bit patterns by the DCE and the
 * DTE"), flags left out.
 */

/** Catalogue check value of CRC-16/X.25: the FCS of the ASCII octets "123456789". */
const CATALOGUE_CHECK = 0x906e;
/** Catalogue residue: the register after data followed by its own FCS, before the final complement. */
const CATALOGUE_RESIDUE = 0xf0b8;

/**
 * X.25 Appendix I, as printed: first bit transmitted first, "(0)" a zero the
 * transmitter inserted for transparency. The last two octets are the FCS.
 */
const APPENDIX_I = [
  { example: 'I.1 example 1, DCE: SABM, address A, P = 1', bits: '1100 0000 1111 1(0)100 1101 1010 0011 0111', address: 0x03, control: 0x3f },
  { example: 'I.1 example 2, DCE: UA, address B, F = 1', bits: '1000 0000 1100 1110 1100 0001 1110 1010', address: 0x01, control: 0x73 },
  { example: 'I.2 example 1, DTE: SABM, address B, P = 1', bits: '1000 0000 1111 1(0)100 1101 0111 11(0)11 1011', address: 0x01, control: 0x3f },
  { example: 'I.2 example 2, DTE: UA, address A, F = 1', bits: '1100 0000 1100 1110 1100 1100 0010 0110', address: 0x03, control: 0x73 },
];

/** The octets of a printed bit pattern: inserted zeros removed, each octet least significant bit first. */
function octetsOf(printed: string): Buffer {
  const bits = printed.replaceAll('(0)', '').replaceAll(' ', '');
  if (bits.length % 8 !== 0) throw new Error(`not whole octets: ${printed}`);
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3] |= 1 << (i & 7);
  return out;
}

t.test('CRC-16/X.25 catalogue check value', async (t) => {
  t.equal(fcs16(Buffer.from('123456789', 'ascii')), CATALOGUE_CHECK, '"123456789" gives 0x906E');
  t.equal(fcs16(new Uint8Array(0)), 0x0000, 'empty input: preset 0xFFFF complemented');
});

t.test('the frames of X.25 Appendix I carry the FCS we compute and leave the catalogue residue', async (t) => {
  for (const f of APPENDIX_I) {
    const frame = octetsOf(f.bits);
    t.same([frame[0], frame[1]], [f.address, f.control], `${f.example}: the printed bits decode to its address and control octets`);
    const fcs = fcs16(frame.subarray(0, 2));
    t.same([fcs & 0xff, fcs >>> 8], [frame[2], frame[3]], `${f.example}: our FCS is the printed one, low octet first`);
    t.equal(fcs16Update(FCS16_INIT, frame), CATALOGUE_RESIDUE, `${f.example}: the whole frame leaves 0xF0B8 in the register`);
  }
});

t.test('data followed by its FCS (low octet first) leaves the good residue; a flipped bit does not', async (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog');
  const fcs = fcs16(data);
  const frame = Buffer.concat([data, Buffer.from([fcs & 0xff, fcs >>> 8])]);
  t.equal(fcs16Update(FCS16_INIT, frame), CATALOGUE_RESIDUE, 'register ends at 0xF0B8');
  for (const bit of [0, 7, 8 * frame.length - 1]) {
    const hit = Buffer.from(frame);
    hit[bit >> 3] ^= 1 << (bit & 7);
    t.not(fcs16Update(FCS16_INIT, hit), CATALOGUE_RESIDUE, `bit ${bit} flipped breaks the residue`);
  }
});

t.test('incremental update equals one-shot', async (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog');
  const split = fcs16Update(fcs16Update(FCS16_INIT, data, 0, 10), data, 10);
  t.equal(split ^ 0xffff, fcs16(data), 'split at 10 gives the same FCS');
});
