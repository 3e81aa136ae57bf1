import t from 'tap';
import {
  decodeTelegram, encodeTelegram, openTelegram, readTelegramHeader, rejectClass, sealTelegram, type TelegramResult,
} from '../../core/check-in-telegram.js';
import { SeededRandom } from '../../core/seeded-random.js';

const key = new SeededRandom(11).bytes(32);
const otherKey = new SeededRandom(12).bytes(32);
const nonce = new SeededRandom(13).bytes(12);
const good = encodeTelegram({ type: 'check-in', deviceId: 'SD-7', counter: 5, time: 1767600000, body: { events: [{ seq: 1, time: 1767600000, type: 'tamper' }] } }, key, nonce);
const te = new TextEncoder();

function reasonOf(r: TelegramResult): string {
  return r.ok ? 'ok' : r.reason;
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = value;
  return out;
}

function sealed(type: 'check-in' | 'ack' | 'nak', body: string, counter = 5): Uint8Array {
  return sealTelegram({ type, deviceId: 'SD-7', counter, time: 1767600000 }, te.encode(body), key, nonce);
}

t.test('every structural fault has its own reason, in the documented order', async (t) => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['1,201 bytes', new Uint8Array(1201), 'oversized'],
    ['empty datagram', new Uint8Array(0), 'truncated'],
    ['5 bytes', good.subarray(0, 5), 'truncated'],
    ['magic HST2', withByte(good, 3, 0x32), 'bad-magic'],
    ['oversized beats bad magic', new Uint8Array(1300).fill(0x41), 'oversized'],
    ['type 0x02', withByte(good, 4, 0x02), 'bad-type'],
    ['type 0x00', withByte(good, 4, 0x00), 'bad-type'],
    ['id length 0', withByte(good, 5, 0), 'bad-id'],
    ['id length 33', withByte(good, 5, 33), 'bad-id'],
    ['id byte "/"', withByte(good, 7, 0x2f), 'bad-id'],
    ['id byte NUL', withByte(good, 6, 0x00), 'bad-id'],
    ['id byte 0xC3', withByte(good, 6, 0xc3), 'bad-id'],
    ['header without a tag', good.subarray(0, 6 + 4 + 20 + 4 + 10), 'truncated'],
    ['wrong key', good, 'bad-tag'],
  ];
  for (const [what, bytes, want] of cases) {
    const r = openTelegram(bytes, what === 'wrong key' ? otherKey : key);
    t.equal(reasonOf(r), want, what);
  }
});

t.test('bad-tag for a changed header, ciphertext or tag byte', async (t) => {
  const head = readTelegramHeader(good);
  if (!head.ok) return t.fail('header');
  const aad = head.aadLength;
  for (const [what, at] of [['counter', 6 + 4 + 3], ['time', 6 + 4 + 7], ['nonce', aad - 1], ['ciphertext', aad + 2], ['tag', good.length - 1]] as const) {
    const r = openTelegram(withByte(good, at, good[at] ^ 0x01), key);
    t.equal(reasonOf(r), 'bad-tag', `one bit of the ${what} flipped`);
    if (!r.ok && r.reason === 'bad-tag') t.equal(r.deviceId, 'SD-7', 'the reject names the header id, so the centre can count it per device');
  }
  const typeFlip = openTelegram(withByte(good, 4, 0x81), key);
  t.equal(reasonOf(typeFlip), 'bad-tag', 'a check-in turned into an ack by its type byte fails the tag (the type is in the AAD)');
  const idFlip = openTelegram(withByte(good, 9, 0x38), key);
  t.equal(reasonOf(idFlip), 'bad-tag', 'another id with the same key fails the tag (the id is in the AAD)');
});

t.test('unknown device: no key for the id, counted under that id', async (t) => {
  const r = decodeTelegram(good, (id) => (id === 'SD-8' ? key : undefined));
  t.equal(reasonOf(r), 'unknown-device', 'reason');
  if (!r.ok && r.reason === 'unknown-device') t.equal(r.deviceId, 'SD-7', 'the id it claims');
  t.ok(decodeTelegram(good, (id) => (id === 'SD-7' ? key : undefined)).ok, 'with its key it decodes');
});

t.test('bad-body: authentic bytes that are not a body of their type', async (t) => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty plaintext', sealTelegram({ type: 'check-in', deviceId: 'SD-7', counter: 5, time: 1 }, new Uint8Array(0), key, nonce)],
    ['invalid UTF-8', sealTelegram({ type: 'check-in', deviceId: 'SD-7', counter: 5, time: 1 }, Uint8Array.of(0x7b, 0xff, 0x7d), key, nonce)],
    ['not JSON', sealed('check-in', '{events:[]}')],
    ['a JSON array', sealed('check-in', '[]')],
    ['JSON null', sealed('check-in', 'null')],
    ['events an object', sealed('check-in', '{"events":{}}')],
    ['event seq negative', sealed('check-in', '{"events":[{"seq":-1,"time":1,"type":"tamper"}]}')],
    ['event seq 2^32', sealed('check-in', '{"events":[{"seq":4294967296,"time":1,"type":"tamper"}]}')],
    ['event seq a string', sealed('check-in', '{"events":[{"seq":"1","time":1,"type":"tamper"}]}')],
    ['event without seq', sealed('check-in', '{"events":[{"time":1,"type":"tamper"}]}')],
    ['event a number', sealed('check-in', '{"events":[7]}')],
    ['ack without serverTime', sealed('ack', '{"counter":5,"accepted":[],"commands":[]}')],
    ['ack echoing another counter', sealed('ack', '{"counter":6,"serverTime":1,"accepted":[],"commands":[]}')],
    ['ack accepted a seq 1.5', sealed('ack', '{"counter":5,"serverTime":1,"accepted":[1.5],"commands":[]}')],
    ['ack command without id', sealed('ack', '{"counter":5,"serverTime":1,"accepted":[],"commands":[{"type":"test"}]}')],
    ['nak reason unknown', sealed('nak', '{"counter":5,"reason":"busy","serverTime":1}')],
    ['nak without counter', sealed('nak', '{"reason":"replay","serverTime":1}')],
  ];
  for (const [what, bytes] of cases) {
    const r = openTelegram(bytes, key);
    t.equal(reasonOf(r), 'bad-body', what);
    if (!r.ok) t.equal(rejectClass(r.reason), 'malformed', `${what} counts as malformed`);
  }
  const lenient = openTelegram(sealed('ack', '{"counter":5,"serverTime":1,"future":true}'), key);
  t.ok(lenient.ok && lenient.telegram.type === 'ack' && lenient.telegram.body.accepted.length === 0, 'unknown keys ignored, missing lists read as empty');
});

t.test('a check-in of another team\'s device is heard: only the seq is required (spec §5.2)', async (t) => {
  const r = openTelegram(sealed('check-in', '{"status":"ok","events":[{"seq":1,"type":"Key Taken"},{"seq":2,"time":1767600000123,"kind":"door"},{"seq":1,"type":"dup"}]}'), key);
  if (!r.ok || r.telegram.type !== 'check-in') return t.fail(`refused: ${r.ok ? r.telegram.type : r.reason}`);
  t.same(r.telegram.body.status, { value: 'ok' }, 'a status that is not an object is kept as { value }');
  t.same(r.telegram.body.events, [
    { seq: 1, type: 'Key Taken', time: 1767600000 },
    { seq: 2, time: 1767600000, timeAsSent: 1767600000123, kind: 'door', type: 'event', },
  ], 'any printable type kept; a missing type reads "event"; a missing or non-u32 time is the telegram\'s, the sent value kept; a repeated seq kept once');
});

t.test('reject classes of spec §5.2', async (t) => {
  t.equal(rejectClass('bad-tag'), 'bad-tag', 'bad tag');
  t.equal(rejectClass('unknown-device'), 'unknown-device', 'unknown id');
  for (const r of ['oversized', 'truncated', 'bad-magic', 'bad-type', 'bad-id', 'bad-body'] as const) t.equal(rejectClass(r), 'malformed', r);
});

t.test('fuzz: random, truncated and bit-flipped datagrams never throw and never pass', async (t) => {
  const rnd = new SeededRandom(2026);
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const len = rnd.int(1300);
    const bytes = rnd.bytes(len);
    if (rnd.next() < 0.5 && len >= 4) bytes.set([0x48, 0x53, 0x54, 0x31], 0);
    if (rnd.next() < 0.5 && len >= 6) { bytes[4] = [0x01, 0x81, 0x82][rnd.int(3)]; bytes[5] = 1 + rnd.int(32); }
    const r = openTelegram(bytes, key);
    if (!r.ok) rejected++;
  }
  t.equal(rejected, 3000, 'no random datagram is accepted');
  const acceptedTruncations = Array.from({ length: good.length }, (_, len) => len).filter((len) => openTelegram(good.subarray(0, len), key).ok);
  t.same(acceptedTruncations, [], `every truncation of the ${good.length}-byte telegram rejected`);
  let flips = 0;
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bytes = withByte(good, bit >> 3, good[bit >> 3] ^ (1 << (bit & 7)));
    const r = openTelegram(bytes, key);
    if (r.ok) t.fail(`bit ${bit} flipped and accepted`);
    else flips++;
  }
  t.equal(flips, good.length * 8, 'every single-bit flip anywhere is rejected');
  const extended = new Uint8Array(good.length + 1);
  extended.set(good);
  t.equal(reasonOf(openTelegram(extended, key)), 'bad-tag', 'a byte appended moves the tag: rejected');
});
