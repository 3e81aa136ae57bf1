import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTelegram, openTelegram } from '../../core/check-in-telegram.js';
import { sharedPostgresCluster } from '../support/shared-postgres.js';
import { api, cliDevice, cliToken, startCentre } from '../support/centre-child.js';
import { TelegramProbe } from '../support/telegram-probe.js';
import { readLiveStream } from '../support/live-stream-reader.js';

/**
 * Spec §5.2/§5.3 at scale: several intake processes on one PostgreSQL. The
 * replay window is an atomic conditional update in the database, so the
 * same telegram sent to two intake processes at once is acknowledged by
 * exactly one; live events reach the other process by LISTEN/NOTIFY.
 */
t.test('two intake processes on one PostgreSQL: a telegram replayed to both is acked exactly once; live events cross', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'hicom-two-'));
  t.teardown(() => rmSync(state, { recursive: true, force: true }));
  const db = await (await sharedPostgresCluster()).createDatabase('two');
  const a = await startCentre(t, { db, state });
  const b = await startCentre(t, { db, state, extra: ['--no-supervision'] });
  const key = await cliDevice(db, state, 'SD-0042');
  const token = await cliToken(db, state, 'watcher', 'read');
  const toA = await TelegramProbe.open(a.udp);
  const toB = await TelegramProbe.open(b.udp);
  t.teardown(() => {
    toA.close();
    toB.close();
  });

  const ROUNDS = 40;
  let acks = 0;
  let naks = 0;
  const wrong: string[] = [];
  for (let counter = 1; counter <= ROUNDS; counter++) {
    const telegram = encodeTelegram({ type: 'check-in', deviceId: 'SD-0042', counter, time: Math.floor(Date.now() / 1000), body: { events: [{ seq: counter, time: Math.floor(Date.now() / 1000), type: 'door-open' }] } }, key, randomBytes(12));
    const answers = await Promise.all([toA.exchange(telegram, 5000), toB.exchange(telegram, 5000)]);
    const kinds = answers.map((r) => {
      if (!r) return 'silence';
      const o = openTelegram(r, key);
      return o.ok ? (o.telegram.type === 'nak' ? `nak:${o.telegram.body.reason}` : o.telegram.type) : 'garbage';
    });
    acks += kinds.filter((k) => k === 'ack').length;
    naks += kinds.filter((k) => k === 'nak:replay').length;
    if (kinds.sort().join(',') !== 'ack,nak:replay') wrong.push(`${counter}: ${kinds.join(',')}`);
  }
  t.same(wrong, [], 'every telegram got exactly one ack and one replay nak, whichever process was faster');
  t.equal(acks, ROUNDS, `${ROUNDS} acks in all`);
  t.equal(naks, ROUNDS, `${ROUNDS} replay naks`);
  const events = await api(b.http, token, 'GET', '/events?device=SD-0042&limit=1000');
  t.equal(events.json.length, ROUNDS, 'each event stored once');

  // Live: a stream on B hears an event that A stored.
  const controller = new AbortController();
  const res = await fetch(`${b.http}/live`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  t.equal(res.headers.get('content-type'), 'text/event-stream', 'B serves a live stream');
  const stream = readLiveStream(res, /"type":"tamper"/);
  await new Promise((r) => setTimeout(r, 300));
  const ack = await toA.checkIn('SD-0042', key, ROUNDS + 1, { events: [{ seq: 999, time: Math.floor(Date.now() / 1000), type: 'tamper' }] });
  t.equal(ack?.type, 'ack', 'A acks a tamper event');
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 10_000));
  t.ok(await Promise.race([stream.heard, timeout]), 'and B streams it live (LISTEN/NOTIFY between the processes)');
  t.match(stream.text(), /^event: event$/m, 'as a server-sent event');
  controller.abort();
  t.equal(await a.stop(), 0, 'A stops cleanly');
  t.equal(await b.stop(), 0, 'B stops cleanly');
});
