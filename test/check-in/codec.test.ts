import t from 'tap';
import {
  encodeTelegram, headerBytes, maxBodyBytes, MAX_TELEGRAM_BYTES, openTelegram, sealTelegram, TelegramEncodeError,
} from '../../core/check-in-telegram.js';
import { SeededRandom } from '../../core/seeded-random.js';

const key = new SeededRandom(1).bytes(32);
const nonce = new SeededRandom(2).bytes(12);
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

t.test('all three types round-trip with their bodies', async (t) => {
  const checkIn = encodeTelegram({ type: 'check-in', deviceId: 'PBX.HSIM-0001', counter: 0xffff_fffe, time: 0xffff_ffff, body: { status: { kind: 'pbx' }, events: [{ seq: 0, time: 1, type: 'error', code: 4660, text: 'Lüfter ✓' }] } }, key, nonce);
  const r1 = openTelegram(checkIn, key);
  t.ok(r1.ok, 'check-in decodes');
  if (r1.ok) {
    t.equal(r1.telegram.counter, 0xffff_fffe, 'counter keeps all 32 bits');
    t.equal(r1.telegram.time, 0xffff_ffff, 'time keeps all 32 bits');
    t.same(r1.telegram.body, { status: { kind: 'pbx' }, events: [{ seq: 0, time: 1, type: 'error', code: 4660, text: 'Lüfter ✓' }] }, 'body with non-ASCII text');
  }
  const ack = encodeTelegram({ type: 'ack', deviceId: 'd', counter: 3, time: 9, body: { counter: 3, serverTime: 9, accepted: [], commands: [] } }, key, nonce);
  const r2 = openTelegram(ack, key);
  t.ok(r2.ok && r2.telegram.type === 'ack' && r2.telegram.body.serverTime === 9, 'ack decodes');
  const nak = encodeTelegram({ type: 'nak', deviceId: 'd', counter: 4, time: 9, body: { counter: 4, reason: 'clock-skew', serverTime: 9 } }, key, nonce);
  const r3 = openTelegram(nak, key);
  t.ok(r3.ok && r3.telegram.type === 'nak' && r3.telegram.body.reason === 'clock-skew', 'nak decodes');
  t.equal(ack[4], 0x81, 'ack type byte');
  t.equal(nak[4], 0x82, 'nak type byte');
  t.equal(checkIn[4], 0x01, 'check-in type byte');
});

t.test('a heartbeat is {} and the smallest telegram is 42 + n + 2 bytes', async (t) => {
  const hb = encodeTelegram({ type: 'check-in', deviceId: 'x', counter: 1, time: 2, body: {} }, key, nonce);
  t.equal(hb.length, 42 + 1 + 2, 'header 27 + body 2 + tag 16');
  const r = openTelegram(hb, key);
  t.ok(r.ok && Buffer.from(r.plaintext).toString() === '{}', 'plaintext is {}');
});

t.test('ids of 1 and 32 characters from the whole allowed set', async (t) => {
  for (let i = 0; i < ID_CHARS.length; i += 32) {
    const id = ID_CHARS.slice(i, i + 32);
    const r = openTelegram(encodeTelegram({ type: 'check-in', deviceId: id, counter: 1, time: 2, body: {} }, key, nonce), key);
    t.ok(r.ok && r.telegram.deviceId === id, `id ${id}`);
  }
  const refused = [...ID_CHARS].filter((c) => {
    const r = openTelegram(encodeTelegram({ type: 'check-in', deviceId: c, counter: 1, time: 2, body: {} }, key, nonce), key);
    return !(r.ok && r.telegram.deviceId === c);
  });
  t.same(refused, [], 'every single allowed character is an id');
});

t.test('exactly 1,200 bytes is a telegram, 1,201 cannot be encoded', async (t) => {
  const id = 'D'.repeat(32);
  const max = maxBodyBytes(id);
  t.equal(max, MAX_TELEGRAM_BYTES - headerBytes(32) - 16, 'body budget');
  t.equal(max, 1126, 'the doc says 1,126 bytes with a 32-character id');
  const pad = (n: number): Uint8Array => new TextEncoder().encode(`{"p":"${'x'.repeat(n - 8)}"}`);
  const full = sealTelegram({ type: 'check-in', deviceId: id, counter: 1, time: 2 }, pad(max), key, nonce);
  t.equal(full.length, 1200, 'full telegram');
  t.ok(openTelegram(full, key).ok, 'a 1,200-byte telegram decodes');
  t.throws(() => sealTelegram({ type: 'check-in', deviceId: id, counter: 1, time: 2 }, pad(max + 1), key, nonce), TelegramEncodeError, '1,201 bytes refused');
});

t.test('the encoder refuses fields outside the contract', async (t) => {
  const base = { type: 'check-in' as const, deviceId: 'ok', counter: 1, time: 2, body: {} };
  const bad: Array<[string, () => unknown]> = [
    ['empty id', () => encodeTelegram({ ...base, deviceId: '' }, key, nonce)],
    ['33-character id', () => encodeTelegram({ ...base, deviceId: 'a'.repeat(33) }, key, nonce)],
    ['id with a blank', () => encodeTelegram({ ...base, deviceId: 'a b' }, key, nonce)],
    ['id with a non-ASCII letter', () => encodeTelegram({ ...base, deviceId: 'Müller' }, key, nonce)],
    ['negative counter', () => encodeTelegram({ ...base, counter: -1 }, key, nonce)],
    ['counter 2^32', () => encodeTelegram({ ...base, counter: 2 ** 32 }, key, nonce)],
    ['fractional time', () => encodeTelegram({ ...base, time: 1.5 }, key, nonce)],
    ['16-byte key', () => encodeTelegram(base, key.subarray(0, 16), nonce)],
    ['8-byte nonce', () => encodeTelegram(base, key, nonce.subarray(0, 8))],
    ['ack echoing another counter', () => encodeTelegram({ type: 'ack', deviceId: 'ok', counter: 1, time: 2, body: { counter: 2, serverTime: 2, accepted: [], commands: [] } }, key, nonce)],
  ];
  for (const [what, fn] of bad) t.throws(fn, TelegramEncodeError, what);
});

t.test('a new nonce gives a different datagram for the same content', async (t) => {
  const a = encodeTelegram({ type: 'check-in', deviceId: 'x', counter: 1, time: 2, body: {} }, key, nonce);
  const b = encodeTelegram({ type: 'check-in', deviceId: 'x', counter: 1, time: 2, body: {} }, key, new SeededRandom(3).bytes(12));
  t.not(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'), 'ciphertext and tag differ');
});
