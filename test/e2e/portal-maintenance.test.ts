import { join } from 'node:path';
import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { parseDatabaseUrl } from '../../src/database/database-url.js';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { openDatabase } from '../../src/database/open-database.js';
import { MaintenanceRunner } from '../../src/maintenance/maintenance-runner.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { STATE_BADGES, type StateBadge } from '../support/a11y-probe.js';
import { openBrowser } from '../support/browser.js';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { FakeVisitor } from '../support/fake-visitor.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { portalLogin } from '../support/portal-walk.js';

/**
 * The portal's maintenance pages in Debian's Chromium against `hicom-sim
 * centre serve`: devices registered and the plan added with the CLI, a
 * night run by the maintenance runner into the same database (a visitor
 * standing in for the PBXs: one PBX fails its archive, one is in use all
 * night), people made with `centre person add` and the People page.
 */
const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };
const PARTNER = { name: 'huber', password: 'Installateur 77' };
const PBXS = ['PBX-A', 'PBX-B', 'PBX-C'];

t.test('maintenance in the portal: the plans, last night failures first, a device history, and a partner who sees only theirs', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t, 'hicom-portal-maintenance-');
  const state = join(dir, 'state');
  const db = `sqlite:${join(dir, 'centre.db')}`;
  for (const id of PBXS) await cliDevice(db, state, id, 'pbx', ['--customer', 'Acme']);
  const plan = await runCliAsync(['maintenance', 'plan', 'add', 'acme-nightly', '--customer', 'Acme', '--window', '20:00-02:00', '--steps', 'errors,kds-backup,archive', '--db', db, '-s', state]);
  t.equal(plan.status, 0, `the plan is added with the CLI (${plan.stderr.trim()})`);
  const person = await runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } });
  t.equal(person.status, 0, 'the manager is made with the CLI');

  // Tonight's window, run by the runner in virtual time into the centre's database.
  const database = await openDatabase(parseDatabaseUrl(db), { durable: false });
  const records = new MaintenanceRecords(database);
  const clock = new VirtualClock(Date.now());
  const visitor = new FakeVisitor(clock);
  visitor.add('PBX-A', { channel: 'lan' });
  visitor.add('PBX-B', { channel: 'modem', failures: { archive: 5 } });
  visitor.add('PBX-C', { channel: 'modem', busyUntil: Number.MAX_SAFE_INTEGER });
  const runner = new MaintenanceRunner({ clock, records, visitor, modems: 2, lanConcurrency: 4 });
  const stored = await records.plan('acme-nightly');
  const summary = await runInVirtualTime(clock, runner, runner.runNextWindow(stored!));
  t.match(summary, { done: 1, failed: 1, cut: 1 }, 'the night: one done, one failed, one cut');
  await database.close();

  // The night above stands for another centre's: this one runs no plans. Its own
  // scheduler would otherwise visit the PBXs again in real time whenever the
  // test runs inside 20:00-02:00 UTC, and the page would show that night instead.
  const centre = await startCentre(t, { db, state, extra: ['--no-maintenance'] });
  const origin = centre.http.replace(/\/api\/v1$/, '');
  const manager = await openBrowser(t);
  const m = manager.page;
  await portalLogin(m, origin, MANAGER);
  await m.waitForURL(/\/fleet$/);
  await m.getByRole('link', { name: 'Maintenance', exact: true }).click();
  await m.waitForURL(/\/maintenance$/);
  const row = m.locator('tr[data-plan="acme-nightly"]');
  t.match(await row.textContent(), /every PBX of Acme; 3 you may see[\s\S]*1 failed[\s\S]*1 cut[\s\S]*1 done/, 'the plan with its last night in words');
  await row.getByRole('link', { name: 'acme-nightly' }).click();
  await m.waitForURL(/\/maintenance\/plans\/acme-nightly$/);
  const order = await m.locator('table.maintenance-night tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-device')}:${tr.getAttribute('data-result')}`));
  t.same(order, ['PBX-B:failed', 'PBX-C:cut by the window end', 'PBX-A:done'], 'failures first, then the cut visit, then the done one');
  t.match(await m.locator('tr[data-device="PBX-B"] li[data-step="archive"]').textContent(), /archive: failed \(3 attempts\)/, 'the failed step and its attempts');
  t.match(await m.locator('tr[data-device="PBX-C"]').textContent(), /busy/, 'the PBX in use all night shows its busy skips');
  const badges = await m.evaluate<StateBadge[]>(STATE_BADGES);
  t.ok(badges.length >= 6, `results are badges (${badges.length})`);
  for (const b of badges) t.ok(b.text.length > 0 && b.ratio >= 4.5, `"${b.text}" in words with AA contrast (${b.ratio.toFixed(1)}:1)`);
  await m.getByRole('link', { name: 'PBX-B' }).click();
  await m.waitForURL(/\/devices\/PBX-B\/maintenance$/);
  t.equal(await m.locator('tr[data-step="archive"]').count(), 3, 'the device history lists every archive attempt');
  t.match(await m.locator('h2').first().textContent(), /Plan acme-nightly, window of .* UTC: failed/, 'the visit in words');

  // The manager gives a partner one PBX with the right to see maintenance results.
  await m.goto(`${origin}/people`);
  await m.getByLabel('Login name').fill(PARTNER.name);
  await m.getByLabel('Role').selectOption('installer');
  await m.getByLabel('Password (at least 10 characters)').fill(PARTNER.password);
  await m.getByRole('button', { name: 'Create' }).click();
  await m.waitForURL(/\/people\/huber/);
  await m.getByLabel('Devices (ids separated by spaces or commas)').fill('PBX-B');
  for (const right of ['see status', 'see maintenance results']) await m.getByLabel(right, { exact: true }).check();
  await m.getByRole('button', { name: 'Grant' }).click();
  await m.locator('.notice').waitFor();
  t.match((await m.locator('#grants-h + table tbody tr').allTextContents()).join(' '), /PBX-B[\s\S]*see maintenance results/, 'the grant names the right');

  const partner = await openBrowser(t);
  const p = partner.page;
  await portalLogin(p, origin, PARTNER);
  await p.waitForURL(/\/fleet$/);
  await p.getByRole('link', { name: 'Maintenance', exact: true }).click();
  t.match(await p.locator('tr[data-plan="acme-nightly"]').textContent(), /1 you may see[\s\S]*1 failed/, 'the partner sees the plan with their one PBX');
  await p.goto(`${origin}/maintenance/plans/acme-nightly`);
  t.same(await p.locator('table.maintenance-night tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device'))), ['PBX-B'], 'and only its result');
  t.same([...manager.problems, ...partner.problems], [], 'no console errors or CSP violations on any of these pages');
  await p.goto(`${origin}/devices/PBX-A/maintenance`);
  t.match(await p.locator('body').textContent(), /Forbidden/, 'another PBX\'s history is refused by its URL');
});
