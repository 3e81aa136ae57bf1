import t from 'tap';
import { randomBytes } from 'node:crypto';
import { encodeTelegram, sealTelegram } from '../../core/check-in-telegram.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { CheckInIntake } from '../../src/centre/check-in-intake.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { RejectCounters } from '../../src/database/reject-counters.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { pollUntil } from '../support/poll-until.js';
import { TelegramProbe } from '../support/telegram-probe.js';

/**
 * Fuzzed datagrams against the intake over real UDP (issue 11): random
 * bytes, every truncation of a good telegram, oversized ones, every bit of
 * the header, tag and body flipped, good ciphers around bad bodies. None
 * gets a reply, the intake keeps running, and each is counted under the
 * reason and device id that spec §5.2 / docs/check-in-telegram.md §4 give
 * it — which this test works out on its own, from the layout, not from the
 * codec.
 */
const ID = 'SD-FUZZ1';
/** Spec §5.2 layout for a 8-character id: header (AAD) 26 + n bytes, then ciphertext, then a 16-byte tag. */
const AAD = 26 + ID.length;

type Expect = [deviceId: string, reason: 'malformed' | 'bad-tag' | 'unknown-device'];

function expected(datagram: Uint8Array, good: Uint8Array): Expect {
  const magic = [0x48, 0x53, 0x54, 0x31];
  // Not HST1, or no id to read: counted under no id. Otherwise under the id the header names, as spec §5.2 counts "per device id".
  if (datagram.length < 6 || magic.some((b, i) => datagram[i] !== b)) return ['', 'malformed'];
  const n = datagram[5];
  if (n < 1 || n > 32 || datagram.length < 6 + n) return ['', 'malformed'];
  const id = Buffer.from(datagram.subarray(6, 6 + n)).toString('latin1');
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return ['', 'malformed'];
  if (datagram.length > 1200 || datagram.length < 26 + n + 16) return [id, 'malformed'];
  // An unknown type, or an ack or nak (not for the centre): refused before any key is looked up.
  if (datagram[4] !== 0x01) return [id, 'malformed'];
  if (id !== ID) return [id, 'unknown-device'];
  // The tag covers header, nonce and ciphertext: any change there fails it — unless the bytes are the good ones.
  if (Buffer.compare(Buffer.from(datagram), Buffer.from(good)) !== 0) return [ID, 'bad-tag'];
  return [ID, 'malformed'];
}

onBothEngines(t, 'fuzzed datagrams: no crash, no reply, the right reject counter', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const { key } = await registry.add(ID, 'key-depot', {}, { actor: 'test' });
  const port = await UdpDatagramPort.open({ port: 0, receiveBufferBytes: 4 << 20 });
  const intake = new CheckInIntake({ db, registry, port, clock: new RealClock(), random: cryptoRandom });
  const probe = await TelegramProbe.open(port.address);
  const socketProbe = await TelegramProbe.open(port.address);
  t.teardown(async () => {
    probe.close();
    socketProbe.close();
    await intake.close();
  });
  const rng = new SeededRandom(11);
  const now = Math.floor(Date.now() / 1000);
  const good = encodeTelegram({ type: 'check-in', deviceId: ID, counter: 1, time: now, body: { events: [{ seq: 1, time: now, type: 'tamper' }] } }, key, randomBytes(12));

  const cases: Array<{ what: string; bytes: Uint8Array }> = [];
  for (let i = 0; i < 200; i++) {
    const b = rng.bytes(Math.floor(rng.bytes(2).reduce((a, x) => a * 256 + x, 0) % 1500));
    if (b.length >= 4 && b[0] === 0x48) b[0] = 0; // random, not HST1 by chance
    cases.push({ what: `random ${b.length} bytes`, bytes: b });
  }
  for (let len = 0; len < good.length; len++) cases.push({ what: `truncated to ${len}`, bytes: good.slice(0, len) });
  for (const extra of [1, 200, 800]) cases.push({ what: `oversized by ${extra}`, bytes: Buffer.concat([good, Buffer.alloc(1200 - good.length + extra, 0x41)]) });
  for (let bit = 0; bit < good.length * 8; bit++) {
    const b = Uint8Array.from(good);
    b[bit >> 3] ^= 1 << (bit & 7);
    const region = (bit >> 3) < 4 ? 'magic' : (bit >> 3) === 4 ? 'type' : (bit >> 3) === 5 ? 'id length' : (bit >> 3) < 6 + ID.length ? 'id' : (bit >> 3) < AAD ? 'counter/time/nonce' : (bit >> 3) < good.length - 16 ? 'body' : 'tag';
    cases.push({ what: `bit ${bit} flipped (${region})`, bytes: b });
  }
  // Authentic bodies that are not check-ins (the tag verifies): malformed under the id.
  const seal = (body: string) => sealTelegram({ type: 'check-in', deviceId: ID, counter: 2, time: now }, Buffer.from(body), key, randomBytes(12));
  const badBodies = ['not json', '[1,2]', '{"events":"no"}', '{"events":[{"seq":-1,"time":1,"type":"x"}]}', '\u00ff\u00fe'];
  for (const body of badBodies) cases.push({ what: `authentic body ${JSON.stringify(body)}`, bytes: seal(body) });

  const want = new Map<string, number>();
  for (const c of cases) {
    const [id, reason] = badBodies.some((b) => Buffer.compare(Buffer.from(seal(b).subarray(0, 6)), Buffer.from(c.bytes.subarray(0, 6))) === 0) && c.what.startsWith('authentic') ? [ID, 'malformed'] : expected(c.bytes, good);
    const k = `${id} ${reason}`;
    want.set(k, (want.get(k) ?? 0) + 1);
  }
  const start = intake.stats.received;
  // Paced, so the kernel's socket buffer never drops one: every datagram must be counted.
  for (let i = 0; i < cases.length; i += 100) {
    for (const c of cases.slice(i, i + 100)) probe.send(c.bytes);
    await pollUntil(() => intake.stats.received >= start + Math.min(cases.length, i + 100), 'the intake to read the batch', 10_000);
  }
  await new Promise((r) => setTimeout(r, 300));
  const answered = await probe.exchange(Buffer.from('one more piece of garbage'), 300);
  t.equal(answered, undefined, 'no reply to anything sent (and none still on its way)');
  await intake.flushRejects();
  const got = new Map((await new RejectCounters(db).list()).map((r) => [`${r.deviceId} ${r.reason}`, r.count]));
  want.set(' malformed', (want.get(' malformed') ?? 0) + 1);
  t.same(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()), `each of ${cases.length + 1} datagrams counted under its device id and reason`);
  t.equal(intake.stats.acks + intake.stats.naks.replay + intake.stats.naks['clock-skew'], 0, 'not one was answered');
  // Every row of the table, linked into a history or not.
  const stored = await db.kysely.selectFrom('check_ins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(Number(stored.n), 0, 'nothing was stored as a check-in');
  const ack = await socketProbe.checkIn(ID, key, 3, {});
  t.equal(ack?.type, 'ack', 'and the intake still takes a good telegram');
});
