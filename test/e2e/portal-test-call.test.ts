import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t from 'tap';
import { MaintenanceAccess } from '../../src/database/maintenance-access.js';
import { parseDatabaseUrl } from '../../src/database/database-url.js';
import { openDatabase } from '../../src/database/open-database.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { openBrowser, shot } from '../support/browser.js';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { LAB_PBX_ID, runCliAsync, startLab, tempDir } from '../support/lab-child.js';
import { IMOD_NUMBER, openModemAccess, PIN, TECH, writeModemLabConfig } from '../support/modem-lab.js';

/** The centre modem's number; the PBX dials it with the outside-line prefix 0 (callback index 1). */
const CENTRE_NUMBER = '0899000';
/** The network's test line that is always busy (docs/network.md). */
const BUSY_LINE = '0800200';
const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };
/** Real time: the PBX signals one interval (1 min, the least, spec §3.4) after the test, then rings, trains and sends. */
const REPORT_DEADLINE_MS = 120_000;

async function testNow(page: Page, origin: string, device: string): Promise<void> {
  await page.goto(`${origin}/devices/${device}`);
  await page.getByRole('button', { name: 'Test now' }).click();
  await page.locator('.notice').waitFor();
}

/**
 * Issue 12's "test now" for a PBX without the LAN option, in Chromium
 * against real processes: `hicom-sim lab` with a modem-only PBX and the
 * centre's modem on a TCP port, and `hicom-sim centre serve --modem` on that
 * modem. The centre dials the PBX with the customer PIN stored sealed for
 * it (the maintenance access, `maintenance_access`), logs in, enters the function test and hangs
 * up; the PBX's report comes back by its error signaling call into the same
 * modem and appears on the page live. A busy line and a wrong PIN each get
 * their own clear answer on the page.
 */
t.test('"test now" by modem for a PBX without LAN: the call, the report arriving live, a busy line and a wrong PIN; by callback', { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'hicom-test-call-');
  const files = await writeModemLabConfig(dir, [{ name: 'centre', number: CENTRE_NUMBER, bind: 'tcp' }]);
  const lab = await startLab(t, files);
  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());
  for (const cmd of ['signaling set enabled yes', 'signaling set interval 1', `callback number 1 0${CENTRE_NUMBER}`]) await admin.run(cmd);

  const db = `sqlite:${join(dir, 'centre.db')}`;
  const state = join(dir, 'centre-state');
  for (const id of [LAB_PBX_ID, 'HSIM-BUSY', 'HSIM-WRONGPIN']) await cliDevice(db, state, id, 'pbx');
  // The access the maintenance visits use (secrets sealed under the centre's master key), stored as the centre's own tools store it.
  const centreDb = await openDatabase(parseDatabaseUrl(db));
  t.teardown(() => centreDb.close());
  const access = new MaintenanceAccess(centreDb, MasterKey.load(state));
  const set = (deviceId: string, number: string, pin: string, callback?: { index: number; code: string }) =>
    access.set({ deviceId, modem: { number, ...(callback ? { callbackIndex: callback.index } : {}) }, serviceUser: TECH.name, pin, password: TECH.password, ...(callback ? { callbackCode: callback.code } : {}) }, { actor: 'cli:test' }, Date.now());
  await set(LAB_PBX_ID, IMOD_NUMBER, PIN);
  await set('HSIM-BUSY', BUSY_LINE, PIN);
  await set('HSIM-WRONGPIN', IMOD_NUMBER, '11111');
  const person = await runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } });
  t.equal(person.status, 0, 'the manager is made');

  const centre = await startCentre(t, { db, state, extra: ['--modem', `tcp:127.0.0.1:${files.modems.centre.port}`] });
  const origin = centre.http.replace(/\/api\/v1$/, '');
  const { page, problems } = await openBrowser(t);
  await page.goto(`${origin}/login`);
  await page.getByLabel('Login name').fill(MANAGER.name);
  await page.getByLabel('Password').fill(MANAGER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/fleet$/);
  const result = page.locator('[data-test-result]');

  await t.test('a busy line: said on the page, nothing tested', async (t) => {
    await testNow(page, origin, 'HSIM-BUSY');
    t.match(await page.locator('#test-h + p').textContent(), new RegExp(`the centre dials ${BUSY_LINE} with the customer PIN, logs in as tech`), 'the page says how the centre reaches this PBX');
    t.match(await result.textContent(), /the centre is calling the PBX by modem/, 'and that it is calling');
    t.match(await page.locator('.notice').textContent(), /the centre calls the PBX by modem/, 'the notice after the form says the same, not "at its next check-in"');
    await page.locator('[data-test-result]', { hasText: 'Test call failed' }).waitFor({ timeout: 60_000 });
    t.match(await result.textContent(), /line was busy \(BUSY\): nothing was tested/, 'BUSY is said in words, live');
    await shot(page, 'test-call-busy');
  });

  await t.test('the PBX called with its PIN: the test entered, then its report arriving live by modem', async (t) => {
    await testNow(page, origin, LAB_PBX_ID);
    await page.locator('[data-test-result]', { hasText: 'took the function test' }).waitFor({ timeout: 90_000 });
    const entered = Date.now();
    t.match(await result.textContent(), /The PBX took the function test; it reports it by modem within about 3 min\. Waiting for its report/, 'the call\'s outcome arrives live, with how long the report may take (interval 1 min + slack)');
    const errors = (await admin.run('errors show B')).lines.join('\n');
    t.match(errors, /function test|FUNCTION|Funktions/i, `the pseudo error is in the PBX's Error History: ${errors}`);
    await page.locator('[data-test-result]', { hasText: 'Answer from the device' }).waitFor({ timeout: REPORT_DEADLINE_MS });
    t.match(await result.textContent(), /Answer from the device: function-test/, "the PBX's own function-test report, received by the centre's modem, appears without a reload");
    await shot(page, 'test-call-report');
    t.ok(Date.now() - entered >= 30_000, 'by the PBX\'s signaling call, a signaling interval later (not by the test call itself)');
    const log = await runCliAsync(['centre', 'status', '--db', db, '-s', state, '--json']);
    t.match(log.stdout, new RegExp(LAB_PBX_ID), 'centre status knows the report');
  });

  await t.test('a wrong PIN: said on the page', async (t) => {
    await testNow(page, origin, 'HSIM-WRONGPIN');
    await page.locator('[data-test-result]', { hasText: 'Test call failed' }).waitFor({ timeout: 60_000 });
    t.match(await result.textContent(), /refused the customer PIN stored for it: nothing was tested/, 'a wrong PIN is said in words, live');
    const html = await page.content();
    t.notMatch(html, /11111|24680|techpw1/, 'no PIN or password reaches the browser');
  });

  await t.test('by callback where the PBX has one for the centre (spec §3.3): the PBX calls the centre back, the test is entered', async (t) => {
    t.ok((await admin.command(`callback number 2 0${CENTRE_NUMBER}`)).ok, "the PBX's callback index 2 names the centre's modem");
    t.ok((await admin.dialogue('callback code 2', [{ prompt: 'Code: ', answer: '4711' }, { prompt: 'Repeat code: ', answer: '4711' }])).ok, 'with code 4711');
    await set(LAB_PBX_ID, IMOD_NUMBER, PIN, { index: 2, code: '4711' });
    await testNow(page, origin, LAB_PBX_ID);
    t.match(await page.locator('#test-h + p').textContent(), new RegExp(`dials ${IMOD_NUMBER} and asks for a callback on index 2`), 'the page says the centre asks for a callback');
    await page.locator('[data-test-result]', { hasText: /took the function test|Test call failed/ }).waitFor({ timeout: 90_000 });
    t.match(await result.textContent(), /The PBX took the function test/, 'the PBX called back, the centre answered, logged in and entered the test');
  });

  t.same(problems, [], 'no console errors (the CSP held)');
  t.equal(await centre.stop(), 0, 'the centre stops cleanly');
});
