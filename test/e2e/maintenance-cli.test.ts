import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { onBothEngines } from '../support/both-engines.js';
import { runCli, runCliAsync, spawnLab, tempDir } from '../support/lab-child.js';

/** The built CLI as a user runs it: `--db` and `-s` the only link between the processes. */
onBothEngines(t, 'maintenance plan add/list/show/remove and history from the command line; bad plans refused with the field named', async (t, f) => {
  const db = ['--db', f.spec, '-s', f.stateDir, '--log-level', 'warn'];
  for (const id of ['HSIM-0001', 'HSIM-0002']) t.equal(runCli(['centre', 'device', 'add', id, '--kind', 'pbx', '--customer', 'Müller', ...db]).status, 0, `device ${id} registered`);
  // The CLI's funnel for a PlanError; every rule of the plan itself is in test/maintenance/maintenance-plan.test.ts.
  const bad = (args: string[], pattern: RegExp, what: string) => {
    const r = runCli(['maintenance', 'plan', 'add', 'nightly', ...args, ...db]);
    t.equal(r.status, 2, `${what}: exit 2`);
    t.match(r.stderr, pattern, `${what}: one line naming the field (${r.stderr.trim()})`);
    t.equal(r.stdout, '', `${what}: nothing on stdout`);
  };
  bad(['--devices', 'HSIM-0001,HSIM-9999', '--window', '20:00-06:00'], /^hicom-sim: plan nightly: devices: unknown device HSIM-9999/, 'an unknown device');
  bad(['--devices', 'HSIM-0001', '--cron', '0 20 * * monday-ish', '--minutes', '60'], /^hicom-sim: plan nightly: cron: "0 20 \* \* monday-ish" does not parse/, 'a cron expression that does not parse');
  bad(['--devices', 'HSIM-0001', '--cron', '0 20 30 2 *', '--minutes', '60'], /^hicom-sim: plan nightly: window: .*lies in the past/, 'a window that never comes again');
  bad(['--devices', 'HSIM-0001', '--cron', '0 20 * * *', '--minutes', '20', '--steps', 'function-test', '--function-test-wait', '30'], /^hicom-sim: plan nightly: function-test-wait: 31 min \(the wait and 1 min for the test\) does not fit in the 20-min window/, 'a function-test wait longer than the window');
  bad(['--devices', 'HSIM-0001', '--window', '20:00-06:00', '--function-test-wait', '0'], /--function-test-wait/, 'a function-test wait of nothing');
  t.equal((await new MaintenanceRecords(await f.open()).listPlans()).length, 0, 'nothing stored by any refusal');

  const add = runCli(['maintenance', 'plan', 'add', 'nightly', '--customer', 'Müller', '--window', '20:00-06:00', '--days', '1-5', '--time-zone', 'Europe/Berlin', '--holidays', '2026-12-24,2026-12-25', '--steps', 'errors,kds-backup,archive,aps,function-test', '--target-aps', 'V2.1', ...db]);
  t.equal(add.status, 0, `add exits 0: ${add.stderr}`);
  t.match(add.stdout, /^window: cron "0 20 \* \* 1-5", 600 min, time zone Europe\/Berlin$/m, 'the window as a cron expression with its length');
  t.match(add.stdout, /^devices: every PBX of customer Müller$/m, 'the filter');
  t.match(add.stdout, /^next windows: \d{4}-\d\d-\d\dT(19|18):00:00\.000Z – /m, 'the next window at 20:00 Berlin');
  const twice = runCli(['maintenance', 'plan', 'add', 'nightly', '--devices', 'HSIM-0001', '--window', '20:00-06:00', ...db]);
  t.match([twice.status, twice.stderr], [2, /name: a plan named nightly exists already/], 'a name in use is refused');
  const list = runCli(['maintenance', 'plan', 'list', ...db]);
  t.match(list.stdout, /^nightly\tcustomer Müller\t"0 20 \* \* 1-5" 600 min Europe\/Berlin\tnext \d{4}-/m, `list: ${list.stderr}`);
  const show = runCli(['maintenance', 'plan', 'show', 'nightly', ...db]);
  t.match(show.stdout, /^steps: connect, errors, kds-backup, archive, aps, function-test, disconnect$/m, 'show: the steps framed by connect and disconnect');
  t.match(show.stdout, /^holidays: 2026-12-24, 2026-12-25$/m, 'show: the holidays');
  t.match(show.stdout, /^function-test wait: 17 min \(default: the longest signaling interval and a call\)$/m, 'show: the default function-test wait');
  const quick = runCli(['maintenance', 'plan', 'add', 'quick', '--devices', 'HSIM-0001', '--window', '20:00-06:00', '--function-test-wait', '5', ...db]);
  t.match(quick.stdout, /^function-test wait: 5 min$/m, `a plan's own function-test wait: ${quick.stderr}`);
  t.equal(runCli(['maintenance', 'plan', 'remove', 'quick', ...db]).status, 0, 'removed again');
  const none = runCli(['maintenance', 'history', '--device', 'HSIM-0001', ...db]);
  t.same([none.status, none.stdout, none.stderr], [0, '', 'no maintenance visits of HSIM-0001 yet\n'], 'history before any visit');

  // A visit recorded as the runner records it, read back through the CLI.
  const handle = await f.open();
  const records = new MaintenanceRecords(handle);
  const plan = await records.plan('nightly');
  const visit = await records.startVisit({ planId: plan!.id, deviceId: 'HSIM-0001', windowStart: Date.UTC(2026, 11, 7, 19), at: Date.UTC(2026, 11, 7, 19, 0, 5) });
  await records.recordStep({ visitId: visit.id, step: 'errors', attempt: 1, startedAt: Date.UTC(2026, 11, 7, 19, 1), endedAt: Date.UTC(2026, 11, 7, 19, 2), outcome: 'ok', output: '3 entries filed', bytes: 812 }, { nextStep: 1, channel: 'lan' });
  await records.endVisit(visit.id, 'cut', Date.UTC(2026, 11, 7, 19, 3), 'cut by the window\'s end before kds-backup');
  const hist = runCli(['maintenance', 'history', '--device', 'HSIM-0001', ...db]);
  t.match(hist.stdout, /^HSIM-0001 plan nightly window 2026-12-07T19:00:00\.000Z: cut over lan, 2026-12-07T19:00:05\.000Z – 2026-12-07T19:03:00\.000Z \(cut by the window's end before kds-backup\)$/m, `history: the visit (${hist.stderr})`);
  t.match(hist.stdout, /^ {2}errors#1 ok 2026-12-07T19:01:00\.000Z – 2026-12-07T19:02:00\.000Z 812 bytes: 3 entries filed$/m, 'and its step with start, end, outcome, bytes, output');
  const json = runCli(['maintenance', 'history', '--json', ...db]);
  t.match(JSON.parse(json.stdout.trim().split('\n')[0]) as object, { plan: 'nightly', deviceId: 'HSIM-0001', state: 'cut', steps: [{ step: 'errors', bytes: 812 }] }, 'history --json');
  const removed = runCli(['maintenance', 'plan', 'remove', 'nightly', ...db]);
  t.equal(removed.stdout, 'plan nightly removed\n', 'remove says so');
  t.same([runCli(['maintenance', 'plan', 'show', 'nightly', ...db]).stderr], ['hicom-sim: no maintenance plan nightly\n'], 'gone');
  t.equal((await records.history({ deviceId: 'HSIM-0001' })).length, 0, 'with its visits');
});

t.test('maintenance deactivate and verify-deactivated against a running lab: unreachable proved and stored, reactivate reverses it', async (t) => {
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify({
    stateDir,
    pacing: false,
    pbxs: [{ id: 'HSIM-LAN1', trunks: ['0301234'], lan: { centre: '127.0.0.1:9', key: randomBytes(32).toString('base64'), teleservice: { port: 0 } } }],
    modems: [],
  }));
  const { banner } = await spawnLab(t, ['--config', configPath, '--log-level', 'warn']);
  t.match(banner, /LAN teleservice: (real network namespaces|.*loopback addresses)/, 'the lab says once how its networks are made');
  const db = ['-s', stateDir, '--log-level', 'warn'];
  const before = await runCliAsync(['maintenance', 'verify-deactivated', 'HSIM-LAN1', ...db]);
  t.equal(before.status, 1, `while the contract runs, verify-deactivated fails: ${before.stderr.trim()}`);
  t.match(before.stdout, /tcp: REACHED/, 'the teleservice port answers from the provider side');
  const off = await runCliAsync(['maintenance', 'deactivate', 'HSIM-LAN1', ...db]);
  t.equal(off.status, 0, `deactivate exits 0: ${off.stderr}`);
  t.match(off.stdout, /DISCONNECTED from the provider network/, 'the lab says the link is down');
  const proof = await runCliAsync(['maintenance', 'verify-deactivated', 'HSIM-LAN1', '--json', ...db]);
  t.equal(proof.status, 0, `verify-deactivated exits 0: ${proof.stderr}`);
  const evidence = JSON.parse(proof.stdout) as { unreachable: boolean; tcp: { reached: boolean }; ping: { reached: boolean } | null; at: string };
  t.match(evidence, { unreachable: true, tcp: { reached: false } }, 'the TCP connect fails');
  if (/real network namespaces/.test(banner)) t.match(evidence.ping, { reached: false }, 'and the ping from the provider namespace gets no answer');
  else t.equal(evidence.ping, null, 'loopback: no ping proof, and the evidence says so');
  const again = await runCliAsync(['maintenance', 'reactivate', 'HSIM-LAN1', ...db]);
  t.equal(again.status, 0, `reactivate exits 0: ${again.stderr}`);
  const after = await runCliAsync(['maintenance', 'verify-deactivated', 'HSIM-LAN1', ...db]);
  t.match([after.status, after.stderr], [1, /still reachable/], 'reachable again after re-activation');

  const { openDatabase } = await import('../../src/database/open-database.js');
  const { parseDatabaseUrl, defaultDatabasePath } = await import('../../src/database/database-url.js');
  const handle = await openDatabase(parseDatabaseUrl(`sqlite:${defaultDatabasePath(stateDir)}`));
  t.teardown(() => handle.close());
  const stored = await new MaintenanceRecords(handle).deactivations('HSIM-LAN1');
  t.same(stored.map((d) => [d.action, d.result]), [['verify', 'reachable'], ['deactivate', 'done'], ['verify', 'unreachable'], ['reactivate', 'done'], ['verify', 'reachable']], 'every step stored in the centre database, with its result');
  t.equal(new Date(stored[2].at).toISOString(), evidence.at, 'the proof stored with its timestamp');
  t.match(stored[2].evidence, { unreachable: true }, 'and its evidence');

  const log = await runCliAsync(['maintenance', 'verify-deactivated', 'HSIM-NONE', ...db]);
  t.match([log.status, log.stderr], [2, /^hicom-sim: no PBX HSIM-NONE in this lab[^\n]*\n$/], 'an unknown PBX: bad input, one line');
});
