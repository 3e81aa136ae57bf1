import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { FOCUSED, STATE_BADGES, UNLABELLED_FIELDS, type StateBadge } from '../support/a11y-probe.js';
import { openBrowser, shot, type BrowserSession } from '../support/browser.js';
import { cliDevice } from '../support/centre-child.js';
import { KeypadLine, MANAGER, portalLogin, startPortalWalk, WALK_DEPOT, WALK_OTHER_DEPOT, WALK_PBX, type PortalWalk } from '../support/portal-walk.js';
import { secretPattern } from '../support/secret-pattern.js';

/**
 * The portal as its people use it, in Debian's Chromium, against
 * `hicom-sim centre serve` and a real-time `hicom-sim lab` whose PBX and
 * depots check in over UDP (test/support/portal-walk.ts). The walks run in
 * order on one centre: what one person sets up, the next one uses.
 * Beside them, on the same centre and lab, "test now" on the LAN PBX: it
 * spends its time waiting for the PBX's next check-in (once a minute, KDS
 * lan.interval, at least 1), so it runs side by side with the walks instead
 * of after them (it had a file of its own, with a centre and lab of its own).
 * With HICOM_SCREENSHOTS=DIR the pages are saved there (docs/portal/ holds them).
 */
const INSTALLER = { name: 'inst', password: 'Installateur 77' };
const BILLING = { name: 'billing', password: 'Abrechnung 2026' };
/** The LAN PBX checks in once a minute (KDS lan.interval, at least 1): the test rides in one ack, its answer in a later check-in. */
const LAN_ANSWER_DEADLINE_MS = 150_000;

/**
 * "Test now" on the PBX with the LAN option, in a browser of its own: the
 * test rides in the ack to the PBX's next check-in, the PBX raises its
 * function test, and its answer arrives on the page without a reload.
 */
async function lanTestNow(t: Test, w: PortalWalk): Promise<void> {
  const { page, problems } = await openBrowser(t);
  await portalLogin(page, w.origin, MANAGER);
  await page.waitForURL(/\/fleet$/);
  // The PBX must have checked in once, or the portal would not know it has the LAN option.
  await page.locator(`tr[data-device="${WALK_PBX}"]`, { hasNotText: 'No check-in yet' }).waitFor({ timeout: 90_000 });
  await page.goto(`${w.origin}/devices/${WALK_PBX}`);
  t.match(await page.locator('#test-h + p').textContent(), /rides in the answer to the device.s next check-in/, 'the page says the test rides in the next check-in\'s ack');
  await page.getByRole('button', { name: 'Test now' }).click();
  await page.locator('.notice').waitFor();
  const result = page.locator('[data-test-result]');
  t.match(await result.textContent(), /waiting for the device's answer \(up to \d+ s\)/, 'the page waits, and says how long');
  await page.locator('[data-test-result]', { hasText: 'Answer from the device' }).waitFor({ timeout: LAN_ANSWER_DEADLINE_MS });
  t.match(await result.textContent(), /Answer from the device: (function-test|command)/, "the PBX's answer appears without a reload");
  t.same(problems, [], 'no console errors (the CSP held)');
}

// jobs 2: the LAN PBX's "test now" (queued first, not awaited) takes one slot; the walks, each awaited before the next
// is queued, take the other one at a time, in order.
t.test('the portal in a real browser against running hicom-sim processes', { timeout: 280_000, jobs: 2 }, async (t) => {
  const w = await startPortalWalk(t);
  // Before any key moves: the billing user's period starts on the first of this month (see the export case).
  const walkStarted = new Date();
  const lan = t.test('"test now" on a LAN PBX in a real browser: the answer arrives live by its check-ins', async (t) => lanTestNow(t, w));
  const manager = await openBrowser(t);
  const installer = await openBrowser(t);
  const m = manager.page;
  const i = installer.page;

  await t.test('the manager creates an installer with a grant on two of three devices and an IP list', async (t) => {
    await portalLogin(m, w.origin, MANAGER);
    await m.waitForURL(/\/fleet$/);
    await m.locator(`tr[data-device="${WALK_OTHER_DEPOT}"]`).waitFor();
    t.equal(await m.locator('tr[data-device]').count(), 3, 'the manager sees all three devices');
    await shot(m, 'fleet-manager');
    await m.getByRole('link', { name: 'People and grants' }).click();
    await m.getByLabel('Login name').fill(INSTALLER.name);
    await m.getByLabel('Full name').fill('Elektro Huber');
    await m.getByLabel('Role').selectOption('installer');
    await m.getByLabel('Password (at least 10 characters)').fill(INSTALLER.password);
    await m.getByLabel(/^Allowed from/).fill('127.0.0.1/32');
    await m.getByRole('button', { name: 'Create' }).click();
    await m.waitForURL(/\/people\/inst/);
    t.match(await m.locator('.notice').textContent(), /Person created/, 'the person is created');
    await m.getByLabel('Devices (ids separated by spaces or commas)').fill(`${WALK_PBX}, ${WALK_DEPOT}`);
    for (const right of ['see status', 'see history', 'live notifications']) await m.getByLabel(right, { exact: true }).check();
    await m.getByRole('button', { name: 'Grant' }).click();
    await m.locator('.notice').waitFor();
    const grants = await m.locator('#grants-h + table tbody tr').allTextContents();
    t.equal(grants.length, 2, 'two grants are listed');
    t.match(grants.join(' '), new RegExp(`${WALK_PBX}[\\s\\S]*see status, see history, live notifications`), 'with their rights');
    t.equal(await m.getByLabel('Allowed from (empty: anywhere)').inputValue(), '127.0.0.1/32', 'and the account keeps its IP list');
    await shot(m, 'person-grants');
  });

  await t.test('the installer logs in and sees exactly the two devices', async (t) => {
    await portalLogin(i, w.origin, INSTALLER);
    await i.waitForURL(/\/fleet$/);
    const rows = (await i.locator('tr[data-device]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')))).sort();
    t.same(rows, [WALK_DEPOT, WALK_PBX].sort(), 'exactly the two granted devices');
    t.match(await i.locator('.counts').textContent(), /OK/, 'the counts per state are shown in words');
    await i.goto(`${w.origin}/devices/${WALK_OTHER_DEPOT}`);
    t.match(await i.locator('body').textContent(), /Forbidden/, 'the third device is refused by its URL');
    await shot(i, 'fleet-installer');
  });

  await t.test('a class-B error raised on the PBX appears live on the installer\'s page and is acknowledged', async (t) => {
    await i.goto(`${w.origin}/devices/${WALK_PBX}`);
    await i.getByText('Live: new events appear here').waitFor({ timeout: 10_000 });
    await w.control.ok('pbx.raise', { pbx: WALK_PBX, class: 'B', code: 0x1234, text: 'fan failure', location: 'S1/P3' });
    // A LAN setting written again makes the option check in at once (as an installer's "reset" would).
    const centre = (await w.control.ok('pbx.kds', { pbx: WALK_PBX, path: 'lan.centre' })) as { value: string };
    await w.control.ok('pbx.kds-set', { pbx: WALK_PBX, path: 'lan.centre', value: centre.value });
    const item = i.locator('[data-live-list] li', { hasText: 'fan failure' });
    await item.waitFor({ timeout: 30_000 });
    t.match(await item.textContent(), /error .*code 4660 at S1\/P3: fan failure/, 'the error arrives without a reload');
    await shot(i, 'device-live');
    await i.reload();
    const event = i.locator('article.event', { hasText: 'fan failure' });
    await event.getByLabel('Comment').fill('Lüfter wird morgen getauscht');
    await event.getByRole('button', { name: 'Acknowledge' }).click();
    await i.locator('.notice').waitFor();
    const after = i.locator('article.event', { hasText: 'fan failure' });
    t.match(await after.locator('.ack-state').textContent(), /Acknowledged by inst at/, 'who acknowledged is shown');
    t.match(await after.locator('.comment').textContent(), /inst, .*: Lüfter wird morgen getauscht/, 'with the comment');
  });

  await t.test('the IP list: refused from another address, an open session ends at once, login once the list includes the browser', async (t) => {
    await i.goto(`${w.origin}/fleet`);
    await i.getByText('Live: new events appear here').waitFor({ timeout: 10_000 });
    await m.goto(`${w.origin}/people/inst`);
    await m.getByLabel('Allowed from (empty: anywhere)').fill('127.0.0.2/32');
    await m.getByRole('button', { name: 'Save' }).click();
    await m.locator('.notice').waitFor();
    await i.locator('[data-live-status]', { hasText: 'Your session has ended' }).waitFor({ timeout: 10_000 });
    t.pass('the installer\'s open live stream ended the moment the list changed');
    await i.goto(`${w.origin}/fleet`);
    t.match(i.url(), /\/login/, 'and the next page sends the installer to the login');
    await portalLogin(i, w.origin, INSTALLER);
    t.match(await i.locator('.problem').textContent(), /may not be used from your network address/, 'login is refused while the list names only 127.0.0.2');
    await shot(i, 'login-refused-address');
    await m.getByLabel('Allowed from (empty: anywhere)').fill('127.0.0.2/32 127.0.0.1');
    await m.getByRole('button', { name: 'Save' }).click();
    await m.locator('.notice').waitFor();
    await portalLogin(i, w.origin, INSTALLER);
    await i.waitForURL(/\/fleet$/);
    t.pass('login works once the list includes the browser\'s address');
  });

  await t.test('a depot PIN set in the portal opens a compartment at the depot\'s keypad', async (t) => {
    await m.goto(`${w.origin}/devices/${WALK_DEPOT}`);
    await m.getByLabel('User', { exact: true }).fill('Meier');
    await m.getByLabel('New PIN (4–8 digits)').fill('4711');
    await m.getByLabel('Compartments (e.g. 1,3; empty: all)').fill('2');
    await m.getByRole('button', { name: 'Set PIN' }).click();
    await m.locator('.notice').waitFor();
    t.notMatch(await m.content(), secretPattern('4711'), 'the PIN is never shown back');
    const row = m.locator('#pins-h ~ table tbody tr', { hasText: 'Meier' });
    for (let n = 0; n < 40 && !/in the depot/.test((await row.textContent()) ?? ''); n++) {
      await m.waitForTimeout(1000);
      await m.reload();
    }
    t.match(await row.textContent(), /in the depot/, 'the depot confirmed the PIN');
    await shot(m, 'depot');
    const keypad = await KeypadLine.open(w.keypadPort);
    t.teardown(() => keypad.socket.destroy());
    t.match(await keypad.cmd('pin 4711'), /\|Open 2 {10}\|/, 'the PIN opens compartment 2 at the keypad');
    t.match(await keypad.cmd('take 2'), /key taken from compartment 2/, 'the key is taken');
    t.match(await keypad.cmd('return 2'), /key returned to compartment 2|returned/, 'and returned');
  });

  await t.test('24-hour testing: "test now" on the depot, its answer arriving live on the page', async (t) => {
    await m.goto(`${w.origin}/devices/${WALK_DEPOT}`);
    await m.getByRole('button', { name: 'Test now' }).click();
    await m.locator('.notice').waitFor();
    const result = m.locator('[data-test-result]');
    t.match(await result.textContent(), /waiting for the device's answer \(up to \d+ s\)/, 'the page says it waits, and how long');
    // The depot checks in every 10 s: the test rides in the ack of the next one, its result in the one after.
    await m.locator('[data-test-result]', { hasText: 'Answer from the device' }).waitFor({ timeout: 35_000 });
    t.match(await result.textContent(), /Answer from the device: (test|command) .*(pass|ok|done)/i, 'the self test\'s answer appears without a reload');

    // A depot registered but never heard (3 s interval, 1 s grace, set short: this is about the timeout's text, not the
    // default interval): the page gives up clearly after two intervals and the grace.
    await cliDevice(w.db, w.state, 'SD-W9', 'key-depot', ['--interval', '3', '--grace', '1']);
    await m.goto(`${w.origin}/devices/SD-W9`);
    await m.getByRole('button', { name: 'Test now' }).click();
    await m.locator('.notice').waitFor();
    await m.locator('[data-test-result]', { hasText: 'No answer within 7 s' }).waitFor({ timeout: 30_000 });
    t.match(await m.locator('[data-test-result]').textContent(), /has not checked in since the test was asked\. It stays queued/, 'a clear timeout: why, and that the test stays queued');
  });

  await t.test('accessibility: states in colour and text with AA contrast, every field labelled, the login by keyboard alone', async (t) => {
    const a11y = await openBrowser(t);
    const k = a11y.page;
    await k.goto(`${w.origin}/login`);
    t.equal(await k.evaluate<string>(FOCUSED), 'name', 'the login page starts in the name field');
    await k.keyboard.type(MANAGER.name);
    await k.keyboard.press('Tab');
    t.equal(await k.evaluate<string>(FOCUSED), 'password', 'Tab moves from the name to the password');
    await k.keyboard.type(MANAGER.password);
    await k.keyboard.press('Enter');
    await k.waitForURL(/\/fleet$/);
    t.pass('logged in by keyboard alone');
    await k.keyboard.press('Tab');
    t.equal(await k.evaluate<string>(FOCUSED), 'Skip to content', 'the first Tab on a page reaches the skip link');
    await k.keyboard.press('Enter');
    await k.waitForURL(/#main$/);
    for (const path of ['/fleet', `/devices/${WALK_PBX}`, `/devices/${WALK_DEPOT}`, '/people', `/people/${INSTALLER.name}`, '/audit']) {
      await k.goto(`${w.origin}${path}`);
      const unlabelled = await k.evaluate<string[]>(UNLABELLED_FIELDS);
      t.same(unlabelled, [], `${path}: every field has a label`);
      const states = await k.evaluate<StateBadge[]>(STATE_BADGES);
      for (const s of states) {
        t.ok(s.text.length > 0, `${path}: "${s.cls}" says its state in words (${s.text})`);
        t.ok(s.ratio >= 4.5, `${path}: "${s.text}" has AA contrast (${s.ratio.toFixed(1)}:1)`);
      }
      if (path === '/fleet') t.ok(states.length >= 6, `the fleet shows its states (${states.length})`);
    }
    t.same(a11y.problems, [], 'no console errors or CSP violations');
  });

  await t.test('bad input in a form: the reason on the page, everything typed still there but the password', async (t) => {
    await m.goto(`${w.origin}/people`);
    await m.getByLabel('Login name').fill('neu.installateur');
    await m.getByLabel('Full name').fill('Jörg Neumann');
    await m.getByLabel('Role').selectOption('installer');
    await m.getByLabel('Password (at least 10 characters)').fill('Ein gutes Passwort 9');
    await m.getByLabel(/^Allowed from/).fill('10.0.0.0/33');
    await m.getByRole('button', { name: 'Create' }).click();
    await m.locator('.problem').waitFor();
    t.match(await m.locator('.problem').textContent(), /10\.0\.0\.0\/33/, 'the reason names the bad entry');
    t.equal(await m.getByLabel('Login name').inputValue(), 'neu.installateur', 'the name is still there');
    t.equal(await m.getByLabel('Full name').inputValue(), 'Jörg Neumann', 'the full name too');
    t.equal(await m.getByLabel('Role').inputValue(), 'installer', 'and the role');
    t.equal(await m.getByLabel(/^Allowed from/).inputValue(), '10.0.0.0/33', 'and the list, to be corrected');
    t.equal(await m.getByLabel('Password (at least 10 characters)').inputValue(), '', 'the password is never kept');
    t.notMatch(await m.content(), /Ein gutes Passwort/, 'nor sent back');
    await m.getByLabel(/^Allowed from/).fill('10.0.0.0/8');
    await m.getByLabel('Password (at least 10 characters)').fill('Ein gutes Passwort 9');
    await m.getByRole('button', { name: 'Create' }).click();
    await m.waitForURL(/\/people\/neu\.installateur/);
    t.match(await m.locator('.notice').textContent(), /Person created/, 'corrected, the form goes through');
  });

  await t.test('a billing user exports a month of key movements as CSV and PDF', async (t) => {
    await m.goto(`${w.origin}/people`);
    await m.getByLabel('Login name').fill(BILLING.name);
    await m.getByLabel('Role').selectOption('billing');
    await m.getByLabel('Password (at least 10 characters)').fill(BILLING.password);
    await m.getByRole('button', { name: 'Create' }).click();
    await m.waitForURL(/\/people\/billing/);
    await m.getByLabel('Devices (ids separated by spaces or commas)').fill(WALK_DEPOT);
    for (const right of ['see history', 'export', 'see customer data']) await m.getByLabel(right, { exact: true }).check();
    await m.getByRole('button', { name: 'Grant' }).click();
    await m.locator('.notice').waitFor();

    const billing: BrowserSession = await openBrowser(t);
    const b = billing.page;
    await portalLogin(b, w.origin, BILLING);
    await b.waitForURL(/\/fleet$/);
    // The month the walk runs in: from the first of the month it started in to the last day of this one. A walk
    // across a month's end (the key taken on the 31st at 23:59, this page after midnight) spans both months;
    // with this month alone the movements would lie outside the period.
    const now = new Date();
    const first = new Date(Date.UTC(walkStarted.getUTCFullYear(), walkStarted.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const history = `${w.origin}/devices/${WALK_DEPOT}/history?kind=movements&from=${first}&to=${last}`;
    for (let n = 0; n < 40; n++) {
      await b.goto(history);
      if ((await b.locator('table.history tbody tr', { hasText: 'returned' }).count()) > 0) break;
      await b.waitForTimeout(1000);
    }
    t.equal(await b.locator('table.history tbody tr').count(), 2, 'the month holds the key taken and returned');
    await shot(b, 'history-export');
    const [csvDownload] = await Promise.all([b.waitForEvent('download'), b.getByRole('link', { name: 'CSV' }).click()]);
    const csvPath = join(w.dir, 'movements.csv');
    await csvDownload.saveAs(csvPath);
    const bytes = readFileSync(csvPath);
    t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with the UTF-8 byte order mark');
    const rows = bytes.toString('utf8').slice(1).trim().split('\r\n').map((l) => l.split(','));
    t.same(rows[0], ['time (UTC)', 'depot', 'movement', 'compartment', 'holder'], 'a header row');
    t.same(rows.slice(1).map((r) => r.slice(1)), [[WALK_DEPOT, 'taken', '2', 'Meier'], [WALK_DEPOT, 'returned', '2', 'Meier']], 'the movements, with compartment and holder');
    const [pdfDownload] = await Promise.all([b.waitForEvent('download'), b.getByRole('link', { name: 'PDF report' }).click()]);
    const pdfPath = join(w.dir, 'movements.pdf');
    await pdfDownload.saveAs(pdfPath);
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
    t.match(text, new RegExp(`Key movements of ${WALK_DEPOT}`), 'the PDF has its header');
    t.match(text, new RegExp(`Period: ${first} to ${last} \\(UTC\\)`), 'the period');
    t.match(text, /taken\s+2\s+Meier/, 'the table');
    t.match(text, /Page 1 of 1/, 'and page numbers');
    t.same(billing.problems, [], 'no console errors or CSP violations for the billing user');
  });

  t.same(manager.problems, [], 'no console errors or CSP violations in the manager\'s browser');
  // The refused page and the ended live stream answer 401/403 on purpose; nothing else may show up.
  t.same(installer.problems.filter((p) => !/Failed to load resource: the server responded with a status of 40[13]/.test(p)), [], "nor in the installer's (besides the refusals the walk provokes)");
  await lan;
  t.equal(await w.lab.stop(), 0, 'the lab stops cleanly');
  t.equal(await w.centre.stop(), 0, 'the centre stops cleanly');
});
