import { Parser } from 'binary-parser';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The technician's chip card of the Octopus E family (seed: "Die praktische
 * Umsetzung erfolgt durch Einsatz einer Chipkarte … Auf der Chipkarte ist
 * auch definiert, ob Zugriff auf die Octopus E-Systemfamilie besteht"; the
 * user may log in "über die Gruppenkennung der Chipkarte oder individuell").
 * docs/octopus-e.md. A virtual card is this 96-byte record:
 *
 *   offset size  field
 *   0      8     magic "HICOMCRD"
 *   8      2     format version (1), big-endian
 *   10     2     flags: bit 0 = access to the Octopus E family
 *   12     16    individual id, ASCII, NUL-padded
 *   28     16    group id, ASCII, NUL-padded
 *   44     4     issued, seconds since 1970 (UTC), big-endian
 *   48     4     valid until, seconds since 1970 (UTC), big-endian
 *   52     12    reserved, zero
 *   64     32    HMAC-SHA-256 over bytes 0 … 63 with CARD_LAB_ISSUER_KEY
 *
 * The HMAC stands in for the card issuer's signature, as the APS image's
 * does for the vendor's: the key is public (below), so a valid card shows
 * only that it was made by a tool that knows it.
 */
export const CARD_MAGIC = 'HICOMCRD';
export const CARD_FORMAT_VERSION = 1;
export const CARD_SIZE = 96;
const SIGNED_BYTES = 64;
const FLAG_OCTOPUS = 0x0001;
/** The documented lab issuer key (docs/octopus-e.md). Not a secret. */
export const CARD_LAB_ISSUER_KEY = Buffer.from('hicom-sim lab chip card issuer v1', 'utf8');
/** Card ids: what the card's display field and a user name both take. */
export const CARD_ID_PATTERN = /^[A-Za-z0-9-]{1,16}$/;

export interface ChipCard {
  individual: string;
  group: string;
  /** The card holder may access the Octopus E family. */
  octopus: boolean;
  /** Milliseconds since 1970 (whole seconds). */
  issued: number;
  validUntil: number;
}

/** The two identities a card holder may log in with. */
export type CardIdentity = 'individual' | 'group';

const parser = new Parser()
  .endianness('big')
  .string('magic', { length: 8, encoding: 'latin1' })
  .uint16('version')
  .uint16('flags')
  .string('individual', { length: 16, encoding: 'latin1', stripNull: true })
  .string('group', { length: 16, encoding: 'latin1', stripNull: true })
  .uint32('issued')
  .uint32('validUntil')
  .buffer('reserved', { length: 12 })
  .buffer('mac', { length: 32 });

interface RawCard {
  magic: string;
  version: number;
  flags: number;
  individual: string;
  group: string;
  issued: number;
  validUntil: number;
  mac: Buffer;
}

export function buildChipCard(card: ChipCard, key: Uint8Array = CARD_LAB_ISSUER_KEY): Buffer {
  for (const [what, id] of [['individual id', card.individual], ['group id', card.group]] as const) {
    if (!CARD_ID_PATTERN.test(id)) throw new Error(`${what} "${id}": 1–16 letters, digits or dashes`);
  }
  if (!(card.validUntil > card.issued)) throw new Error('a card must be valid after it was issued');
  const out = Buffer.alloc(CARD_SIZE);
  out.write(CARD_MAGIC, 0, 'latin1');
  out.writeUInt16BE(CARD_FORMAT_VERSION, 8);
  out.writeUInt16BE(card.octopus ? FLAG_OCTOPUS : 0, 10);
  out.write(card.individual, 12, 16, 'latin1');
  out.write(card.group, 28, 16, 'latin1');
  out.writeUInt32BE(Math.floor(card.issued / 1000), 44);
  out.writeUInt32BE(Math.floor(card.validUntil / 1000), 48);
  createHmac('sha256', key).update(out.subarray(0, SIGNED_BYTES)).digest().copy(out, SIGNED_BYTES);
  return out;
}

/**
 * What a card says, checked for its format only — not its signature or
 * validity, which only the PBX judges (the technician's PC reads the ids
 * to name the login).
 */
export function readChipCard(bytes: Uint8Array): ChipCard | undefined {
  const card = readCard(bytes)?.card;
  return card && hasIds(card) ? card : undefined;
}

const hasIds = (card: ChipCard): boolean => CARD_ID_PATTERN.test(card.individual) && CARD_ID_PATTERN.test(card.group);

function readCard(bytes: Uint8Array): { card: ChipCard; signed: Buffer; mac: Buffer } | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length !== CARD_SIZE) return undefined;
  const raw = parser.parse(buf) as RawCard;
  if (raw.magic !== CARD_MAGIC || raw.version !== CARD_FORMAT_VERSION) return undefined;
  const card: ChipCard = { individual: raw.individual, group: raw.group, octopus: (raw.flags & FLAG_OCTOPUS) !== 0, issued: raw.issued * 1000, validUntil: raw.validUntil * 1000 };
  return { card, signed: buf.subarray(0, SIGNED_BYTES), mac: raw.mac };
}

/** Why a card is refused: the log and the refusal name it. */
export type CardRefusal = 'not a chip card' | 'forged' | 'expired' | 'not yet valid' | 'no Octopus E access';

export type CardCheck = { ok: true; card: ChipCard } | { ok: false; reason: CardRefusal; card?: ChipCard };

/**
 * Read a card and check it as the PBX does at `now`: format, signature,
 * validity, and the Octopus E access the card must grant. A refused card
 * that could be read comes back too, so its individual id can be logged.
 */
export function checkChipCard(bytes: Uint8Array, now: number): CardCheck {
  const read = readCard(bytes);
  if (!read) return { ok: false, reason: 'not a chip card' };
  const mac = createHmac('sha256', CARD_LAB_ISSUER_KEY).update(read.signed).digest();
  if (!timingSafeEqual(mac, read.mac)) return { ok: false, reason: 'forged' };
  const { card } = read;
  if (!hasIds(card)) return { ok: false, reason: 'not a chip card' };
  if (now < card.issued) return { ok: false, reason: 'not yet valid', card };
  if (now >= card.validUntil) return { ok: false, reason: 'expired', card };
  if (!card.octopus) return { ok: false, reason: 'no Octopus E access', card };
  return { ok: true, card };
}
