import t from 'tap';
import { createHmac } from 'node:crypto';
import { buildChipCard, checkChipCard, type ChipCard } from '../../firmware-sim/chip-card.js';

const NOW = Date.UTC(2026, 4, 4, 9, 0);
const CARD: ChipCard = { individual: 'T4711', group: 'NL-BONN', octopus: true, issued: NOW - 1000, validUntil: NOW + 86_400_000 };
/** The documented issuer key of docs/octopus-e.md, written out. */
const ISSUER_KEY = 'hicom-sim lab chip card issuer v1';

t.test('the card record is the 96 bytes docs/octopus-e.md describes', async (t) => {
  const b = buildChipCard(CARD);
  t.equal(b.length, 96, '96 bytes');
  t.equal(b.subarray(0, 8).toString('latin1'), 'HICOMCRD', 'magic');
  t.equal(b.readUInt16BE(8), 1, 'version 1');
  t.equal(b.readUInt16BE(10), 1, 'flag bit 0: Octopus E access');
  t.equal(b.subarray(12, 28).toString('latin1').replace(/\0+$/, ''), 'T4711', 'individual id at 12');
  t.equal(b.subarray(28, 44).toString('latin1').replace(/\0+$/, ''), 'NL-BONN', 'group id at 28');
  t.equal(b.readUInt32BE(44) * 1000, CARD.issued - (CARD.issued % 1000), 'issued at 44, seconds');
  t.equal(b.readUInt32BE(48) * 1000, CARD.validUntil, 'valid until at 48, seconds');
  t.same(b.subarray(64), createHmac('sha256', ISSUER_KEY).update(b.subarray(0, 64)).digest(), 'HMAC-SHA-256 of bytes 0–63 with the lab issuer key');
});

t.test('the PBX checks signature, validity and access', async (t) => {
  t.match(checkChipCard(buildChipCard(CARD), NOW), { ok: true, card: { individual: 'T4711', group: 'NL-BONN', octopus: true } }, 'a good card');
  t.match(checkChipCard(buildChipCard(CARD), CARD.issued - 1000), { ok: false, reason: 'not yet valid' }, 'before it was issued');
  t.match(checkChipCard(buildChipCard(CARD), CARD.validUntil), { ok: false, reason: 'expired' }, 'at the end of its validity');
  t.match(checkChipCard(buildChipCard(CARD, Buffer.from('another key')), NOW), { ok: false, reason: 'forged' }, 'signed with another key');
  t.match(checkChipCard(buildChipCard(CARD).subarray(0, 95), NOW), { ok: false, reason: 'not a chip card' }, 'a byte short');
  t.throws(() => buildChipCard({ ...CARD, individual: 'T 47' }), /individual id "T 47"/, 'ids are letters, digits and dashes');
});
