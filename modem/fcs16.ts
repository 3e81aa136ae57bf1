/**
 * HDLC frame check sequence FCS-16 (ISO/IEC 13239 §4.3, ITU-T X.25 §2.2.7,
 * ISO 7776 §3.6), catalogued as CRC-16/X.25: generator x^16 + x^12 + x^5 + 1
 * (0x1021) processed LSB first (reflected, 0x8408), register preset to
 * 0xFFFF, ones' complement of the remainder transmitted low octet first.
 *
 * Own table-driven code because the well-kept `crc` package offers the same
 * polynomial only as CRC-16/KERMIT (preset 0, no complement), not X.25.
 */

/** Register preset (ISO/IEC 13239 §4.3.1). */
export const FCS16_INIT = 0xffff;
/** Remainder left in the register after running over data + its FCS, when no error occurred. */
export const FCS16_GOOD_RESIDUE = 0xf0b8;

const REFLECTED_POLY = 0x8408;

const TABLE = ((): Uint16Array => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ REFLECTED_POLY : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Run the raw FCS register over `bytes[start, end)`; no final complement. */
export function fcs16Update(register: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let r = register;
  for (let i = start; i < end; i++) r = (r >>> 8) ^ TABLE[(r ^ bytes[i]) & 0xff];
  return r;
}

/** The FCS to append to `bytes`: complemented register, send low octet first. */
export function fcs16(bytes: Uint8Array): number {
  return fcs16Update(FCS16_INIT, bytes) ^ 0xffff;
}
