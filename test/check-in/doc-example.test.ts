import t from 'tap';
import { encodeTelegram, openTelegram, readTelegramHeader } from '../../core/check-in-telegram.js';
import { docExample } from '../support/check-in-doc.js';

const ex = docExample();

t.test('the key of the example is the same in hex and base64', async (t) => {
  t.equal(Buffer.from(ex.keyBase64, 'base64').toString('hex'), Buffer.from(ex.key).toString('hex'), 'both spellings of the key agree');
  t.equal(ex.key.length, 32, 'a 32-byte key');
});

t.test('the check-in datagram of the doc decodes to the documented header and body', async (t) => {
  const r = openTelegram(ex.checkIn, ex.key);
  if (!r.ok) return t.fail(`doc datagram rejected: ${r.reason} ${r.detail}`);
  const { telegram } = r;
  t.equal(telegram.type, 'check-in', 'type 01');
  t.equal(telegram.deviceId, 'SD-0042', 'device id');
  t.equal(telegram.counter, 7, 'counter');
  t.equal(telegram.time, 1767600000, 'time 2026-01-05 08:00:00 UTC');
  t.equal(Buffer.from(telegram.nonce).toString('hex'), 'a0a1a2a3a4a5a6a7a8a9aaab', 'nonce');
  t.equal(Buffer.from(r.plaintext).toString('utf8'), ex.checkInBody, 'the plaintext is the documented body byte for byte');
  t.equal(ex.checkIn.length, 169, 'the doc says 169 bytes');
  t.equal(ex.checkInBody.length, 120, 'the doc says a 120-byte body');
});

t.test('encoding the documented body with the documented nonce gives the documented bytes', async (t) => {
  const head = readTelegramHeader(ex.checkIn);
  if (!head.ok) return t.fail('header');
  const again = encodeTelegram({ type: 'check-in', deviceId: 'SD-0042', counter: 7, time: 1767600000, body: JSON.parse(ex.checkInBody) }, ex.key, head.header.nonce);
  t.equal(Buffer.from(again).toString('hex'), Buffer.from(ex.checkIn).toString('hex'), 'check-in byte for byte');
  const ack = readTelegramHeader(ex.ack);
  if (!ack.ok) return t.fail('ack header');
  const ackAgain = encodeTelegram({ type: 'ack', deviceId: 'SD-0042', counter: 7, time: 1767600001, body: JSON.parse(ex.ackBody) }, ex.key, ack.header.nonce);
  t.equal(Buffer.from(ackAgain).toString('hex'), Buffer.from(ex.ack).toString('hex'), 'ack byte for byte');
});

t.test('the ack datagram of the doc decodes to the documented answer', async (t) => {
  const r = openTelegram(ex.ack, ex.key);
  if (!r.ok) return t.fail(`doc ack rejected: ${r.reason} ${r.detail}`);
  t.equal(r.telegram.type, 'ack', 'type 81');
  t.equal(r.telegram.counter, 7, 'answers counter 7');
  t.equal(r.telegram.time, 1767600001, 'centre clock in the header');
  t.same(r.telegram.body, { counter: 7, serverTime: 1767600001, accepted: [12], commands: [{ id: 5, type: 'release', compartment: 2 }] }, 'ack body');
  t.equal(Buffer.from(r.plaintext).toString('utf8'), ex.ackBody, 'plaintext byte for byte');
  t.equal(ex.ack.length, 157, 'the doc says 157 bytes');
  t.equal(ex.ackBody.length, 108, 'the doc says a 108-byte body');
});
