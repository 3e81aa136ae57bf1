import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { SeededRandom } from '../../core/seeded-random.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { docExample } from '../support/check-in-doc.js';
import { CheckInResponder } from '../support/check-in-responder.js';
import { LineChild } from '../support/line-child.js';

/**
 * Clients written from docs/check-in-telegram.md alone: one in Python with
 * its AES-GCM (python3-cryptography), one with nothing but node:crypto.
 */
const CLIENTS: ReadonlyArray<[string, string, string]> = [
  ['Python', '/usr/bin/python3', join(process.cwd(), 'test/clients/check_in_client.py')],
  ['node:crypto', process.execPath, join(process.cwd(), 'test/clients/check-in-client.mjs')],
];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

for (const [name, command, client] of CLIENTS) t.test(`the ${name} client decodes the worked example of the doc`, async (t) => {
  const ex = docExample();
  for (const [what, datagram, body] of [['check-in', ex.checkIn, ex.checkInBody], ['ack', ex.ack, ex.ackBody]] as const) {
    const r = spawnSync(command, [client, 'decode', hex(ex.key), hex(datagram)], { encoding: 'utf8', timeout: 20000 });
    t.equal(r.status, 0, `${what}: client exits 0 (${r.stderr.trim()})`);
    const got = JSON.parse(r.stdout) as { type: string; id: string; counter: number; body: unknown };
    t.equal(got.type, what, `${what}: type`);
    t.equal(got.id, 'SD-0042', `${what}: id`);
    t.equal(got.counter, 7, `${what}: counter`);
    t.same(got.body, JSON.parse(body), `${what}: body`);
  }
});

for (const [name, command, client] of CLIENTS) t.test(`the ${name} client checks in with our centre side over real UDP`, async (t) => {
  const port = await UdpDatagramPort.open({ host: '127.0.0.1', port: 0 });
  const responder = new CheckInResponder({ clock: new RealClock(), random: cryptoRandom });
  const key = new SeededRandom(77).bytes(32);
  responder.addDevice('PY-1', key);
  responder.attach(port);
  t.teardown(() => responder.close());
  const py = new LineChild(command, [...(command.endsWith('python3') ? ['-u'] : []), client, 'session', '127.0.0.1', String(port.address.port), 'PY-1', Buffer.from(key).toString('base64')]);
  t.teardown(() => py.stop());
  type Step = { step: string; answer: null | { type: string; counter: number; time: number; body: Record<string, unknown> } };
  const step = async (name: string): Promise<Step> => JSON.parse(await py.expect(new RegExp(`"step": ?"${name}"`), 10000)) as Step;

  const first = await step('check-in');
  t.equal(first.answer?.type, 'ack', 'the check-in is acknowledged');
  t.same(first.answer?.body.accepted, [1], 'its event is listed as stored');
  t.equal(first.answer?.body.counter, first.answer?.counter, 'the ack echoes the counter in header and body');
  t.ok(Math.abs(Number(first.answer?.body.serverTime) - Date.now() / 1000) < 5, 'serverTime is the centre clock');
  const replay = await step('replay');
  t.equal(replay.answer?.type, 'nak', 'the same datagram again is nak\'d');
  t.equal(replay.answer?.body.reason, 'replay', 'as a replay');
  const skew = await step('clock-skew');
  t.equal(skew.answer?.body.reason, 'clock-skew', 'a clock 10 minutes off is nak\'d as clock-skew');
  t.ok(Math.abs(Number(skew.answer?.body.serverTime) - Date.now() / 1000) < 5, 'with the time to resync from');
  const wrong = await step('wrong-key');
  t.equal(wrong.answer, null, 'a wrong key gets no answer at all');
  t.equal(await py.exited, 0, 'the client ran to the end');
  const dev = responder.device('PY-1');
  t.same(dev.events.map((e) => e.type), ['door-open'], 'the event is stored once, though its datagram came twice');
  t.equal(responder.stats.rejects.get('bad-tag PY-1'), 1, 'the wrong-key telegram is counted as a bad tag of PY-1');
});
