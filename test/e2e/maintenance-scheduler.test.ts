import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { controlRequest } from '../../src/adapters/control-socket.js';
import { providerRouteText, type ProviderRoute } from '../../src/adapters/lan-connect.js';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { MaintenanceWindows } from '../../src/database/maintenance-windows.js';
import { labControlPath } from '../../src/lab/lab.js';
import { onBothEngines, engineFixture } from '../support/both-engines.js';
import { startCentre } from '../support/centre-child.js';
import { freePort, runCliAsync, spawnLab, tempDir } from '../support/lab-child.js';
import { installForVisits, VISIT_PIN, VISIT_SERVICE } from '../support/visit-install.js';

/*
 * The scheduler inside `centre serve` with real processes: nobody runs
 * `run-now`; a plan added while the centre runs opens its window a few
 * seconds later in the device's own time zone (Europe/Berlin, the plan's is
 * UTC; see deviceZone), and the centre visits the lab's LAN PBX by itself. Then two centres
 * on one PostgreSQL database: one window, run by one of them.
 */

/** The wall clock in `timeZone` at `at`: day, month, hour, minute, second. */
function wallClock(at: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(at)).map((p) => [p.type, p.value])) as Record<string, string>;
}

/** A cron expression (with seconds) for the one instant `at`, read in `timeZone`: a window that opens then and next year. */
function cronAt(at: number, timeZone: string): string {
  const parts = wallClock(at, timeZone);
  return `${Number(parts.second)} ${Number(parts.minute)} ${Number(parts.hour)} ${Number(parts.day)} ${Number(parts.month)} *`;
}

/**
 * The device's own zone for a window opening between `from` and `to`:
 * Europe/Berlin, but not in the hour its clocks show twice on the night they
 * go back (01:00-02:00 UTC on October's last Sunday). There the wall-clock
 * time of the opening came an hour earlier already: the cron window opened
 * then and is open still (the plan is right, docs/ci.md), so "opens in 6 s"
 * would not hold. That hour the device is in Europe/Istanbul (UTC+3 all
 * year), still not the plan's zone.
 */
function deviceZone(from: number, to: number): string {
  const repeated = (at: number) => JSON.stringify(wallClock(at - 3600_000, 'Europe/Berlin')) === JSON.stringify(wallClock(at, 'Europe/Berlin'));
  return repeated(from) || repeated(to) ? 'Europe/Istanbul' : 'Europe/Berlin';
}

/** Seconds from now to a window's opening: time for the centre to hear of the plan (SQLite looks 4 times a second, PostgreSQL is told). */
const OPENS_IN_MS = 6_000;

// The cases are independent (each its own database, lab and centres; the PostgreSQL cluster is shared, a database
// each) and spend most of their time waiting for a window to open: side by side, the file takes the longest case's
// time, not the sum.
t.jobs = 4;

onBothEngines(t, 'centre serve runs a plan in its window by itself: the LAN PBX is visited in its own time zone and maintenance history shows it', async (t, f) => {
  const dir = f.stateDir;
  const stateDir = join(dir, 'lab');
  const adminPort = await freePort();
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify({
    stateDir,
    pacing: false,
    pbxs: [{ id: 'HSIM-LAN1', trunks: ['0301234'], adminPorts: [{ bind: `tcp:127.0.0.1:${adminPort}` }], lan: { centre: '127.0.0.1:9', key: randomBytes(32).toString('base64'), teleservice: { port: 0 } } }],
  }));
  await spawnLab(t, ['--config', configPath, '--no-centre', '--log-level', 'warn']);
  await installForVisits(adminPort, '0899000');
  const db = ['--db', f.spec, '-s', dir, '--log-level', 'warn'];
  const route = JSON.parse((await controlRequest(labControlPath(stateDir), 'lan-route HSIM-LAN1')).text) as { address: string; port: number; route: ProviderRoute };
  // The window opens OPENS_IN_MS after the plan is added, seconds from here (a minute and more under load): its zone is chosen for then.
  const zone = deviceZone(Date.now(), Date.now() + 120_000);
  const added = await runCliAsync(['centre', 'device', 'add', 'HSIM-LAN1', '--kind', 'pbx', '--tz', zone.toLowerCase(), ...db]);
  t.equal(added.status, 0, `registered with its time zone: ${added.stderr}`);
  const shown = await runCliAsync(['centre', 'device', 'show', 'HSIM-LAN1', ...db]);
  t.equal(shown.stdout.split('\n').find((l) => l.startsWith('maintenance time zone: ')), `maintenance time zone: ${zone}`, 'stored as the IANA name');
  const bad = await runCliAsync(['centre', 'device', 'update', 'HSIM-LAN1', '--tz', 'Europe/Atlantis', ...db]);
  t.same([bad.status, bad.stderr], [2, 'hicom-sim: time zone "Europe/Atlantis" is not an IANA time zone (e.g. Europe/Berlin, Europe/Lisbon, UTC)\n'], 'an unknown zone refused with the reason, exit 2');
  const access = await runCliAsync(['maintenance', 'access', 'set', 'HSIM-LAN1', '--lan', `${route.address}:${route.port}`, '--lan-route', providerRouteText(route.route), ...db], { env: { HICOM_PIN: VISIT_PIN, HICOM_PASSWORD: VISIT_SERVICE.password } });
  t.equal(access.status, 0, `access stored: ${access.stderr}`);

  const centre = await startCentre(t, { db: f.spec, state: dir, udp: false, http: false });
  // The plan arrives while the centre runs, from another process: cron read in the device's zone, the plan's own zone is UTC.
  const opens = Math.ceil((Date.now() + OPENS_IN_MS) / 1000) * 1000;
  const plan = await runCliAsync(['maintenance', 'plan', 'add', 'night', '--devices', 'HSIM-LAN1', '--cron', cronAt(opens, zone), '--minutes', '60', '--time-zone', 'UTC', '--steps', 'errors,kds-backup,archive', ...db]);
  t.equal(plan.status, 0, `plan added: ${plan.stderr}`);
  t.match(plan.stdout, new RegExp(`^next windows: ${new Date(opens).toISOString().replace(/\./g, '\\.')} – `, 'm'), 'plan add names the window in the device\'s zone');
  t.ok(plan.stdout.split('\n').some((l) => l.startsWith(`time zones: ${zone} (1 device)`)), `and the zone group: ${plan.stdout}`);
  const ended = await centre.child.expect(new RegExp(`^maintenance window of night \\(${zone.replace('/', '\\/')}\\) ended: `), OPENS_IN_MS + 30_000);
  t.match(ended, /ended: 1 done, 0 failed, 0 cut, 0 not visited, 0 busy skips$/, 'the centre says the window ended with the visit done');

  const history = await runCliAsync(['maintenance', 'history', '--device', 'HSIM-LAN1', ...db]);
  t.match(history.stdout, new RegExp(`^HSIM-LAN1 plan night window ${new Date(opens).toISOString().replace(/\./g, '\\.')}: done over lan, `, 'm'), `maintenance history shows the visit in that window: ${history.stdout}${history.stderr}`);
  for (const step of ['connect', 'errors', 'kds-backup', 'archive', 'disconnect']) t.match(history.stdout, new RegExp(`^  ${step}#1 ok `, 'm'), `${step} ok`);
  const [v] = await new MaintenanceRecords(await f.open()).history({ deviceId: 'HSIM-LAN1' });
  t.ok(v.startedAt >= opens, `the visit began when the window opened, not before (${new Date(v.startedAt).toISOString()})`);
  const show = await runCliAsync(['maintenance', 'plan', 'show', 'night', ...db]);
  t.match(show.stdout, new RegExp(`^last windows: \\S+ – \\S+ ${zone.replace('/', '\\/')} ended$`, 'm'), `plan show: the window in the ledger: ${show.stdout}`);
  t.equal(await centre.stop(), 0, 'the centre stops cleanly');
});

t.test('two centres on one PostgreSQL database: the window is run by one of them', async (t) => {
  const f = await engineFixture(t, 'postgres');
  const db = ['--db', f.spec, '-s', f.stateDir, '--log-level', 'warn'];
  const ids = ['HSIM-0001', 'HSIM-0002', 'HSIM-0003'];
  for (const id of ids) t.equal((await runCliAsync(['centre', 'device', 'add', id, '--kind', 'pbx', ...db])).status, 0, `${id} registered`);
  const centres = await Promise.all([1, 2].map(() => startCentre(t, { db: f.spec, state: f.stateDir, udp: false, http: false })));
  const out = centres.map(() => '');
  centres.forEach((c, i) => c.child.proc.stdout!.on('data', (d: Buffer) => (out[i] += d.toString())));
  // Added while both run: each hears of it by NOTIFY and schedules the same window.
  const opens = Math.ceil((Date.now() + OPENS_IN_MS) / 1000) * 1000;
  // No access stored: each visit fails at connect at once, which is enough to count who visited.
  const plan = await runCliAsync(['maintenance', 'plan', 'add', 'night', '--devices', ids.join(','), '--cron', cronAt(opens, 'UTC'), '--minutes', '60', '--retries', '0', ...db]);
  t.equal(plan.status, 0, `plan added: ${plan.stderr}`);
  const ended = /^maintenance window of night \(UTC\) ended: .*$/m;
  for (let i = 0; i < (OPENS_IN_MS + 30_000) / 100 && !out.some((o) => ended.test(o)); i++) await new Promise((r) => setTimeout(r, 100));
  const first = out.map((o) => ended.exec(o)?.[0]).find((l) => l !== undefined);
  t.match(first, /ended: 0 done, 3 failed/, 'one centre ran the window: three visits, each failed at connect (no access)');
  // The other had the same window before it: give it time to show it does not run it too.
  await new Promise((r) => setTimeout(r, 3_000));
  const said = out.map((o) => o.split('\n').filter((l) => ended.test(l)).length);
  t.same([...said].sort(), [0, 1], `exactly one of the two centres reported the window: ${said.join(', ')}`);
  const handle = await f.open();
  const visits = await new MaintenanceRecords(handle).history({ limit: 100 });
  t.same(visits.map((v) => v.deviceId).sort(), ids, 'one visit per device, not two');
  const [row, ...more] = await new MaintenanceWindows(handle).of(visits[0].planId);
  t.equal(more.length, 0, 'one window in the ledger');
  t.match(row, { state: 'ended', start: opens }, 'ended, at the instant it opened');
  for (const c of centres) t.equal(await c.stop(), 0, 'each centre stops cleanly');
});

t.test('centre serve refuses a modem given both for receive mode and for visits, before it opens anything', async (t) => {
  const dir = tempDir(t);
  const r = await runCliAsync(['centre', 'serve', '--no-udp', '--no-http', '--modem', 'tcp:127.0.0.1:9', '--maintenance-modem', 'tcp:127.0.0.1:9', '-s', dir, '--log-level', 'warn']);
  t.equal(r.status, 2, 'bad input: exit 2');
  t.match(r.stderr, /^hicom-sim: centre serve: tcp:127\.0\.0\.1:9 is given to both --modem and --maintenance-modem: a modem in receive mode cannot dial visits/, `the reason in one line: ${r.stderr}`);
  t.notOk(existsSync(join(dir, 'centre', 'centre.db')), 'no database was made');
});
