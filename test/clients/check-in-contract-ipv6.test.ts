import t from 'tap';
import { join } from 'node:path';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { HST1_TYPE, Hst1Peer } from './hst1-peer.js';

/**
 * Spec §5.2 over IPv6 loopback: `centre serve --udp [::1]:0` (intake only,
 * `--no-http`) and the spec-only peer on `::1`. A telegram is a UDP
 * datagram whatever the address family; the answer goes back to the IPv6
 * source it came from.
 */
const dir = tempDir(t, 'hicom-contract6-');
const db = `sqlite:${join(dir, 'centre.db')}`;
const key = await cliDevice(db, dir, 'CT-V6');
const centre = await startCentre(t, { db, state: dir, udp: '[::1]:0', http: false, extra: ['--no-maintenance'] });
const peer = await Hst1Peer.bind('::1');
t.teardown(() => peer.close());
const to = { address: centre.udp.host.replace(/^\[|\]$/g, ''), port: centre.udp.port };
const now = (): number => Math.floor(Date.now() / 1000);

t.test('a check-in from ::1 is acknowledged to ::1; the same datagram again is a replay; garbage gets nothing', async (t) => {
  t.equal(to.address, '::1', 'the intake says it listens on [::1]');
  const datagram = Hst1Peer.seal({ type: HST1_TYPE.checkIn, id: 'CT-V6', counter: 1, time: now() }, { events: [{ seq: 1, time: now(), type: 'door-open' }] }, key);
  peer.send(datagram, to);
  const first = await peer.receive(3000);
  const ack = first && Hst1Peer.open(first.data, key);
  t.equal(ack?.type, HST1_TYPE.ack, 'an ack');
  t.same(ack && JSON.parse(ack.plain.toString()).accepted, [1], 'listing the event');
  t.same(first?.from, to, 'from the intake\'s own IPv6 address and port');
  const again = await peer.exchange(datagram, to);
  const nak = again && Hst1Peer.open(again, key);
  t.same(nak && [nak.type, JSON.parse(nak.plain.toString()).reason], [HST1_TYPE.nak, 'replay'], 'then a replay nak');
  t.equal(await peer.exchange(Buffer.from('HST1 garbage over IPv6'), to, 300), undefined, 'garbage: no answer');
});

t.test('--udp with an IPv6 address not in brackets is refused, naming what was written', async (t) => {
  const r = await runCliAsync(['centre', 'serve', '--db', db, '-s', dir, '--udp', '::1:0', '--no-http', '--log-level', 'warn'], { timeoutMs: 20_000 });
  t.equal(r.status, 2, 'exit 2: bad input');
  t.match(r.stderr, /--udp: "::1:0" is not HOST:PORT \(IPv6 as \[ADDR\]:PORT\)/, 'the message quotes "::1:0" (it said "::1:1", the port-1 stand-in it was checked as)');
});
