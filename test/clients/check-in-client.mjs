// A check-in client written from docs/check-in-telegram.md alone, with
// nothing but node:crypto and node:dgram (no code of hicom-sim behind it).
//
//   node check-in-client.mjs decode KEY_HEX DATAGRAM_HEX
//   node check-in-client.mjs session HOST PORT DEVICE_ID KEY_BASE64
//
// The same two modes as check_in_client.py: decode prints one JSON line;
// session checks in (ack expected), replays the same datagram (nak
// replay), sends a clock 10 minutes off (nak clock-skew) and one under a
// wrong key (no answer), printing one JSON line per step.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const TYPES = { 0x01: 'check-in', 0x81: 'ack', 0x82: 'nak' };
const CODES = { 'check-in': 0x01, ack: 0x81, nak: 0x82 };

function encode(kind, id, counter, time, body, key) {
  const ident = Buffer.from(id, 'ascii');
  const nonce = randomBytes(12);
  const header = Buffer.alloc(26 + ident.length);
  header.write('HST1', 0, 'ascii');
  header[4] = CODES[kind];
  header[5] = ident.length;
  ident.copy(header, 6);
  header.writeUInt32BE(counter, 6 + ident.length);
  header.writeUInt32BE(time, 10 + ident.length);
  nonce.copy(header, 14 + ident.length);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(header);
  const ct = Buffer.concat([c.update(JSON.stringify(body), 'utf8'), c.final()]);
  return Buffer.concat([header, ct, c.getAuthTag()]);
}

function decode(d, key) {
  if (d.length > 1200 || d.length < 6 || d.toString('ascii', 0, 4) !== 'HST1') throw new Error('not a telegram');
  const n = d[5];
  if (n < 1 || n > 32 || d.length < 42 + n) throw new Error('bad id length');
  const id = d.toString('ascii', 6, 6 + n);
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error('bad id');
  const dec = createDecipheriv('aes-256-gcm', key, d.subarray(14 + n, 26 + n));
  dec.setAAD(d.subarray(0, 26 + n));
  dec.setAuthTag(d.subarray(d.length - 16));
  const body = Buffer.concat([dec.update(d.subarray(26 + n, d.length - 16)), dec.final()]);
  return { type: TYPES[d[4]], id, counter: d.readUInt32BE(6 + n), time: d.readUInt32BE(10 + n), body: JSON.parse(body.toString('utf8')) };
}

function exchange(sock, host, port, datagram, key, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sock.off('message', on); resolve(null); }, timeoutMs);
    const on = (msg) => { clearTimeout(timer); sock.off('message', on); resolve(decode(msg, key)); };
    sock.on('message', on);
    sock.send(datagram, port, host);
  });
}

async function session(host, port, id, keyB64) {
  const key = Buffer.from(keyB64, 'base64');
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let counter = Math.floor(Date.now() / 1000) & 0xffff;
  const now = Math.floor(Date.now() / 1000);
  const first = encode('check-in', id, counter, now, { status: { kind: 'node' }, events: [{ seq: 1, time: now, type: 'door-open' }] }, key);
  const step = (name, answer) => process.stdout.write(`${JSON.stringify({ step: name, answer })}\n`);
  step('check-in', await exchange(sock, host, Number(port), first, key));
  step('replay', await exchange(sock, host, Number(port), first, key));
  counter += 1;
  step('clock-skew', await exchange(sock, host, Number(port), encode('check-in', id, counter, now + 600, {}, key), key));
  counter += 1;
  step('wrong-key', await exchange(sock, host, Number(port), encode('check-in', id, counter, now, {}, Buffer.alloc(32)), key, 500));
  sock.close();
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'decode' && args.length === 2) process.stdout.write(`${JSON.stringify(decode(Buffer.from(args[1], 'hex'), Buffer.from(args[0], 'hex')))}\n`);
else if (mode === 'session' && args.length === 4) await session(...args);
else {
  process.stderr.write('usage: check-in-client.mjs decode KEY_HEX DATAGRAM_HEX | session HOST PORT ID KEY_BASE64\n');
  process.exit(2);
}
