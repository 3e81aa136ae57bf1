import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { runCliAsync } from '../support/lab-child.js';
import { sharedPostgresCluster } from '../support/shared-postgres.js';
import { formBody } from '../support/portal-rig.js';
import { TelegramProbe } from '../support/telegram-probe.js';
import { readLiveStream } from '../support/live-stream-reader.js';

const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };

/**
 * Seed 000's two networks: the device intake and the portal bind to separate
 * addresses, and the portal runs as its own process that reaches only the
 * database (`--no-udp --no-supervision`); what the intake stores reaches the
 * portal's live stream through PostgreSQL's LISTEN/NOTIFY.
 */
t.test('intake and portal as two processes on two addresses, one PostgreSQL: an event checked in at one is live in the other\'s portal', { timeout: 90_000 }, async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'hicom-two-networks-'));
  t.teardown(() => rmSync(state, { recursive: true, force: true }));
  const db = await (await sharedPostgresCluster()).createDatabase('twonets');
  const key = await cliDevice(db, state, 'SD-0077');
  const person = await runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } });
  t.equal(person.status, 0, 'the first manager is made with the CLI');

  const intake = await startCentre(t, { db, state, udp: '127.0.0.1:0', http: false });
  const portal = await startCentre(t, { db, state, udp: false, http: '127.0.0.2:0', extra: ['--no-supervision'] });
  t.equal(intake.http, '', 'the intake process serves no HTTP');
  t.match(portal.http, /^http:\/\/127\.0\.0\.2:\d+\/api\/v1$/, 'the portal process listens on its own address');
  t.notOk(portal.child.lines.some((l) => /UDP intake/.test(l)), 'and takes no check-ins');
  const origin = portal.http.replace(/\/api\/v1$/, '');

  // Log in at the portal as a browser does: the CSRF cookie and token of the login page, then the form.
  const page = await fetch(`${origin}/login`);
  const csrf = (page.headers.getSetCookie().find((c) => c.startsWith('hcs_csrf=')) ?? '').split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const login = await fetch(`${origin}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: formBody({ _csrf: token, name: MANAGER.name, password: MANAGER.password }) });
  t.equal(login.status, 303, 'the manager logs in at the portal process');
  const session = (login.headers.getSetCookie().find((c) => c.startsWith('hcs_session=')) ?? '').split(';')[0];

  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const live = await fetch(`${origin}/live`, { headers: { cookie: session }, signal: controller.signal });
  t.match(live.headers.get('content-type'), /^text\/event-stream/, 'the portal streams live notifications');
  const stream = readLiveStream(live, /"type":"tamper"/);
  await new Promise((r) => setTimeout(r, 300));

  const device = await TelegramProbe.open(intake.udp);
  t.teardown(() => device.close());
  const ack = await device.checkIn('SD-0077', key, 1, { events: [{ seq: 1, time: Math.floor(Date.now() / 1000), type: 'tamper' }] }, undefined, 5000);
  t.equal(ack?.type, 'ack', 'the intake process acks a tamper event');
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 10_000));
  t.ok(await Promise.race([stream.heard, timeout]), "and it appears on the portal process's live stream");
  t.match(stream.text(), /"deviceId":"SD-0077"/, 'for the device');
  controller.abort();
  t.equal(await intake.stop(), 0, 'the intake stops cleanly');
  t.equal(await portal.stop(), 0, 'the portal stops cleanly');
});
