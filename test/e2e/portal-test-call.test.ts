import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t from 'tap';
import { S_REGISTER_DEFS } from '../../modem/s-registers.js';
import { TEST_CALL_CALLBACK_MS, TEST_CALL_DIAL_MS } from '../../src/service/modem-test-call.js';
import { openBrowser, shot } from '../support/browser.js';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { LAB_PBX_ID, runCliAsync, startLab, tempDir } from '../support/lab-child.js';
import { IMOD_NUMBER, modemTerminal, openModemAccess, PIN, TECH, writeModemLabConfig } from '../support/modem-lab.js';
import { portalLogin } from '../support/portal-walk.js';
import { secretPattern } from '../support/secret-pattern.js';

/** The centre's first modem: the one it dials out on (it lends the first idle one), and the PBX's callback index 2. */
const CENTRE_NUMBER = '0899000';
/**
 * The centre's second modem, where the PBX's reports come in (callback index 1, dialled with the outside-line
 * prefix 0). The report comes a signaling interval after the test; meanwhile the first modem carries the wrong-PIN
 * and no-answer calls. With one modem those two had to wait for the report, or the report would meet BUSY and come a
 * minute later.
 */
const REPORTS_NUMBER = '0899001';
/** The network's test lines that are always busy and that ring unanswered (docs/network.md). */
const BUSY_LINE = '0800200';
const NO_ANSWER_LINE = '0800300';
/** `centre serve --test-call-wait` / `--test-report-wait` of this walk: seconds, so both timeout texts show before the real outcome arrives. */
const CALL_WAIT_S = 4;
const REPORT_WAIT_S = 8;
const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };
/**
 * The centre modem's S7 (wait for carrier, V.250 §6.3; factory 50 s), stored in its profile with AT&W as its operator
 * would, so the centre's own ATZ keeps it: NO ANSWER comes after this long instead of 50 s. Long enough for any call
 * that is answered (ringing, the PBX's IMOD answering, training take a few seconds), and still well after
 * CALL_WAIT_S, so the call-outcome timeout shows first.
 */
const CENTRE_MODEM_S7 = 20;
/** What S7 would be had the centre's ATZ not loaded the stored profile: the factory value. */
const FACTORY_S7 = S_REGISTER_DEFS.find((r) => r.n === 7)!.default;
/** Real time: the PBX signals one interval (1 min, the least, spec §3.4) after the test, then rings, trains and sends. */
const REPORT_DEADLINE_MS = 120_000;

/** The manager's modem access form on the device page: the secrets typed into the browser, never shown again. */
async function setModemAccess(page: Page, origin: string, device: string, a: { number: string; pin?: string; callbackIndex?: number; callbackCode?: string }): Promise<void> {
  await page.goto(`${origin}/devices/${device}`);
  await page.getByLabel('IMOD number to dial').fill(a.number);
  await page.getByLabel('Service user', { exact: true }).fill(TECH.name);
  await page.getByLabel('Customer PIN (5 digits)').fill(a.pin ?? '');
  await page.getByLabel("Service user's password").fill(a.pin === undefined ? '' : TECH.password);
  await page.getByLabel(/^Callback index/).fill(a.callbackIndex === undefined ? '' : String(a.callbackIndex));
  await page.getByLabel(/^Callback code/).fill(a.callbackCode ?? '');
  await page.getByRole('button', { name: 'Save modem access' }).click();
  await page.locator('.notice', { hasText: 'Modem access saved' }).waitFor();
}

async function testNow(page: Page, origin: string, device: string): Promise<void> {
  await page.goto(`${origin}/devices/${device}`);
  await page.getByRole('button', { name: 'Test now' }).click();
  await page.locator('.notice').waitFor();
}

/**
 * Issue 12's "test now" for a PBX without the LAN option, in Chromium
 * against real processes: `hicom-sim lab` with a modem-only PBX and the
 * centre's two modems on TCP ports, and `hicom-sim centre serve --modem A
 * --modem B` on them. The centre dials the PBX with the customer PIN stored sealed for
 * it (the maintenance access, `maintenance_access`), logs in, enters the function test and hangs
 * up; the PBX's report comes back by its error signaling call into the
 * centre's other modem and appears on the page live, while the first one
 * carries the next tests (in a second browser). A busy line, a wrong PIN and a line
 * nobody answers each get their own clear answer on the page; both timeouts
 * (no outcome of the call in time, no report in time) are set to seconds
 * (`--test-call-wait`, `--test-report-wait`) and show before the real
 * outcome arrives. Every PBX's modem access is set by the manager in the
 * portal's form, so the call that gets in proves the PIN typed there.
 */
t.test('"test now" by modem for a PBX without LAN: access set in the portal, the call, both timeouts, the report arriving live, busy, wrong PIN, no answer; by callback', { timeout: 420_000 }, async (t) => {
  const dir = tempDir(t, 'hicom-test-call-');
  const files = await writeModemLabConfig(dir, [{ name: 'centre', number: CENTRE_NUMBER, bind: 'tcp' }, { name: 'reports', number: REPORTS_NUMBER, bind: 'tcp' }]);
  const db = `sqlite:${join(dir, 'centre.db')}`;
  const state = join(dir, 'centre-state');
  // The centre's side is made with the CLI while the lab starts: each command is a process start, so side by side they
  // cost about the longest one. The lab's PBX has no LAN option: supervised by its reports by modem. The others stand
  // for PBXs that check in, every 5 s with 5 s grace, so that they are late long before the overview is looked at,
  // however fast the machine. The first device alone first: it makes the database and the master key.
  const first = cliDevice(db, state, LAB_PBX_ID, 'pbx', ['--supervise', 'reports']);
  const others = first.then(() => Promise.all(['HSIM-BUSY', 'HSIM-WRONGPIN', 'HSIM-NOANSWER'].map((id) => cliDevice(db, state, id, 'pbx', ['--interval', '5', '--grace', '5']))));
  const person = first.then(() => runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } }));
  const help = runCliAsync(['centre', 'serve', '--help']);
  const lab = await startLab(t, files);
  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());
  for (const cmd of ['signaling set enabled yes', 'signaling set interval 1', `callback number 1 0${REPORTS_NUMBER}`]) await admin.run(cmd);

  await others;
  t.match((await help).stdout.replace(/\s+/g, ' '), `${TEST_CALL_DIAL_MS / 1000} s, by callback ${TEST_CALL_CALLBACK_MS / 1000} s`, 'centre serve --help names the default call wait the portal uses');
  t.equal((await person).status, 0, 'the manager is made');

  const centreModem = await modemTerminal(files.modems.centre.port!);
  centreModem.write(`ATZS7=${CENTRE_MODEM_S7}&W\r`);
  t.match(await centreModem.expect(/OK\r\n|ERROR\r\n/), /OK/, `the centre modem's S7=${CENTRE_MODEM_S7} is stored in its profile (AT&W)`);
  centreModem.close();
  const centre = await startCentre(t, { db, state, extra: ['--modem', `tcp:127.0.0.1:${files.modems.centre.port}`, '--modem', `tcp:127.0.0.1:${files.modems.reports.port}`, '--test-call-wait', String(CALL_WAIT_S), '--test-report-wait', String(REPORT_WAIT_S)] });
  const origin = centre.http.replace(/\/api\/v1$/, '');
  const { page, problems } = await openBrowser(t);
  await page.goto(`${origin}/login`);
  await page.getByLabel('Login name').fill(MANAGER.name);
  await page.getByLabel('Password').fill(MANAGER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/fleet$/);
  const result = page.locator('[data-test-result]');

  await t.test("the manager sets each PBX's modem access on its page: the secrets are stored, never shown again", async (t) => {
    await setModemAccess(page, origin, LAB_PBX_ID, { number: IMOD_NUMBER, pin: PIN });
    t.match(await page.locator('[data-modem-access-summary]').textContent(), new RegExp(`The centre dials ${IMOD_NUMBER} with the customer PIN and logs in as ${TECH.name}`), 'the page says how the centre calls');
    t.match(await page.locator('[data-modem-access-stored]').textContent(), new RegExp(`PIN, password stored, set \\d{4}-\\d\\d-\\d\\d [\\d:]+ UTC by ${MANAGER.name}`), 'and only that PIN and password are stored, when and by whom');
    t.equal(await page.getByLabel('Customer PIN (5 digits)').inputValue(), '', 'the PIN field is empty again');
    t.match(await page.locator('[data-supervised-by]').textContent(), /^its reports by modem \(late after 170 h without one\)$/, 'the page says this PBX is supervised by its reports (function-test period 7 days + 2 h grace)');
    t.notMatch(await page.content(), new RegExp(`${PIN}|${TECH.password}`), 'no secret in the page');
    await shot(page, 'modem-access');
    await setModemAccess(page, origin, 'HSIM-BUSY', { number: BUSY_LINE, pin: PIN });
    await setModemAccess(page, origin, 'HSIM-WRONGPIN', { number: IMOD_NUMBER, pin: '11111' });
    await setModemAccess(page, origin, 'HSIM-NOANSWER', { number: NO_ANSWER_LINE, pin: PIN });
  });

  await t.test('a busy line: said on the page, nothing tested', async (t) => {
    await testNow(page, origin, 'HSIM-BUSY');
    t.match(await page.locator('#test-h + p').textContent(), new RegExp(`the centre dials ${BUSY_LINE} with the customer PIN, logs in as tech`), 'the page says how the centre reaches this PBX');
    t.match(await result.textContent(), /the centre is calling the PBX by modem/, 'and that it is calling');
    t.match(await page.locator('.notice').textContent(), /the centre calls the PBX by modem/, 'the notice after the form says the same, not "at its next check-in"');
    await page.locator('[data-test-result]', { hasText: 'Test call failed' }).waitFor({ timeout: 60_000 });
    t.match(await result.textContent(), /line was busy \(BUSY\): nothing was tested/, 'BUSY is said in words, live');
    await shot(page, 'test-call-busy');
  });

  await t.test('the PBX called with its PIN: the test entered, then its report arriving live by modem; meanwhile a wrong PIN and no answer', async (t) => {
    await testNow(page, origin, LAB_PBX_ID);
    await page.locator('[data-test-result]', { hasText: 'took the function test' }).waitFor({ timeout: 90_000 });
    const entered = Date.now();
    t.match(await result.textContent(), new RegExp(`The PBX took the function test; it reports it by modem within about ${REPORT_WAIT_S} s\\. Waiting for its report`), "the call's outcome arrives live, with how long the report may take (--test-report-wait)");
    await page.locator('[data-test-result]', { hasText: 'No report from the PBX' }).waitFor({ timeout: (REPORT_WAIT_S + 10) * 1000 });
    t.match(await result.textContent(), new RegExp(`No report from the PBX within ${REPORT_WAIT_S} s of the test: its error signaling may be off, or callback index 1 does not name the centre's modem`), 'no report in time: said on the page, with why that may be');
    const errors = (await admin.run('errors show B')).lines.join('\n');
    t.match(errors, /function test|FUNCTION|Funktions/i, `the pseudo error is in the PBX's Error History: ${errors}`);
    // The report comes a signaling interval (1 min) after the test, into the centre's second modem: the minute is spent
    // on the two cases that need the centre's first modem, each in turn (a second call at once would take the second
    // modem and meet the report), in a browser of their own so that this page stays on the PBX.
    const second = await openBrowser(t);
    const p = second.page;
    const other = p.locator('[data-test-result]');
    await portalLogin(p, origin, MANAGER);
    await p.waitForURL(/\/fleet$/);
    await t.test('a wrong PIN: said on the page', async (t) => {
      await testNow(p, origin, 'HSIM-WRONGPIN');
      await p.locator('[data-test-result]', { hasText: 'Test call failed' }).waitFor({ timeout: 60_000 });
      t.match(await other.textContent(), /refused the customer PIN stored for it: nothing was tested/, 'a wrong PIN is said in words, live');
      const html = await p.content();
      t.notMatch(html, secretPattern('11111', '24680', 'techpw1'), 'no PIN or password reaches the browser');
    });

    await t.test('no answer: first no outcome of the call in time, then NO ANSWER said on the page', async (t) => {
      const asked = Date.now();
      await testNow(p, origin, 'HSIM-NOANSWER');
      await p.locator('[data-test-result]', { hasText: 'No outcome of the call' }).waitFor({ timeout: (CALL_WAIT_S + 10) * 1000 });
      t.match(await other.textContent(), new RegExp(`No outcome of the call within ${CALL_WAIT_S} s: no centre process with a modem took it`), 'the call-outcome timeout, said on the page (--test-call-wait)');
      // The line rings until the centre modem's S7 (CENTRE_MODEM_S7, stored above) gives up.
      await p.locator('[data-test-result]', { hasText: 'Test call failed' }).waitFor({ timeout: 90_000 });
      t.match(await other.textContent(), /The PBX did not answer the call \(NO ANSWER\): nothing was tested/, 'NO ANSWER said in words when it comes');
      const rang = Date.now() - asked;
      t.ok(rang >= CENTRE_MODEM_S7 * 1000 && rang < FACTORY_S7 * 1000, `once the S7 stored in the centre modem's profile (${CENTRE_MODEM_S7} s) ran out, before the factory ${FACTORY_S7} s: the centre's ATZ kept it (${rang} ms)`);
    });
    t.same(second.problems, [], 'no console errors in the second browser (the CSP held)');
    await page.locator('[data-test-result]', { hasText: 'Answer from the device' }).waitFor({ timeout: REPORT_DEADLINE_MS });
    t.match(await result.textContent(), /Answer from the device: function-test/, "the PBX's own function-test report, received by the centre's second modem, appears without a reload");
    await shot(page, 'test-call-report');
    t.ok(Date.now() - entered >= 30_000, 'by the PBX\'s signaling call, a signaling interval later (not by the test call itself)');
    const log = await runCliAsync(['centre', 'status', '--db', db, '-s', state, '--json']);
    t.match(log.stdout, new RegExp(LAB_PBX_ID), 'centre status knows the report');
    await page.goto(`${origin}/fleet`);
    t.equal(await page.locator(`tr[data-device="${LAB_PBX_ID}"] .state`).textContent(), 'OK', 'the overview shows the modem-only PBX OK after its report (supervised by its reports, not late for want of check-ins)');
    t.match(await page.locator('tr[data-device="HSIM-BUSY"] .state').textContent(), /Late|Missing/, 'while a PBX supervised by check-ins that never checked in is late by now');
  });

  await t.test('by callback where the PBX has one for the centre (spec §3.3): the PBX calls the centre back, the test is entered', async (t) => {
    t.ok((await admin.command(`callback number 2 0${CENTRE_NUMBER}`)).ok, "the PBX's callback index 2 names the centre's modem");
    t.ok((await admin.dialogue('callback code 2', [{ prompt: 'Code: ', answer: '4711' }, { prompt: 'Repeat code: ', answer: '4711' }])).ok, 'with code 4711');
    // Changed in the portal: the stored PIN and password kept (their fields left empty), the callback added.
    await setModemAccess(page, origin, LAB_PBX_ID, { number: IMOD_NUMBER, callbackIndex: 2, callbackCode: '4711' });
    t.match(await page.locator('[data-modem-access-stored]').textContent(), /PIN, password, callback code stored/, 'the page says the callback code is stored too');
    await testNow(page, origin, LAB_PBX_ID);
    t.match(await page.locator('#test-h + p').textContent(), new RegExp(`dials ${IMOD_NUMBER} and asks for a callback on index 2`), 'the page says the centre asks for a callback');
    await page.locator('[data-test-result]', { hasText: /took the function test|Test call failed/ }).waitFor({ timeout: 90_000 });
    t.match(await result.textContent(), /The PBX took the function test/, 'the PBX called back, the centre answered, logged in and entered the test');
  });

  t.same(problems, [], 'no console errors (the CSP held)');
  t.equal(await centre.stop(), 0, 'the centre stops cleanly');
});
