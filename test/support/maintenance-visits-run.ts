import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { controlRequest } from '../../src/adapters/control-socket.js';
import { providerRouteText, type ProviderRoute } from '../../src/adapters/lan-connect.js';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { MaintenanceReports } from '../../src/database/maintenance-reports.js';
import { labControlPath } from '../../src/lab/lab.js';
import { ArchiveShelf } from '../../src/maintenance/archive-shelf.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import type { EngineFixture } from './both-engines.js';
import { LineChild } from './line-child.js';
import { cliCommand, freePort, runCliAsync, spawnLab } from './lab-child.js';
import { installForVisits, VISIT_PIN, VISIT_SERVICE } from './visit-install.js';

/**
 * The issue's end-to-end run with real processes: `hicom-sim lab` with a
 * PBX that has LAN teleservice and one that has only its modem, the centre
 * receiving reports on its own modems (`centre receive`), and `maintenance
 * run-now` as the centre's visitor. The first run is killed (SIGKILL) in the
 * middle of a visit; the second takes every visit up at its first unfinished
 * step and brings both to the end: error memory filed, KDS backed up, the
 * protocol log archived, the function tests reported — nothing twice. Then
 * the LAN PBX is deactivated and verify-deactivated proves it unreachable.
 */

const SERVICE = VISIT_SERVICE;
const PIN = VISIT_PIN;
/**
 * The centre's two receiving lines, one per PBX, each its own `centre receive`
 * on the same database: both visits raise their function test at about the
 * same moment, so with one line the second PBX's report call would meet BUSY
 * and come a whole signaling interval (1 min) later. That retry is proven in
 * virtual time (test/teleservice/centre-busy.test.ts); here it only cost time.
 */
const CENTRE_NUMBERS = { 'HSIM-LAN1': '0899000', 'HSIM-MOD1': '0899001' } as const;
const VISIT_NUMBER = '0897000';
/** The PBXs' IMODs from outside: trunk + 791. */
const IMOD = { 'HSIM-LAN1': '0301234791', 'HSIM-MOD1': '0301235791' } as const;
const IDS = ['HSIM-LAN1', 'HSIM-MOD1'] as const;

/** What both engines' files of the end-to-end visit run check (test/e2e/maintenance-visits-*.test.ts). */
export const VISITS_END_TO_END = 'a plan visits a LAN PBX and a modem-only PBX with real processes; a centre killed mid-visit resumes; then the LAN PBX is deactivated';

/** The run on one engine; one file per engine, so that each stays well inside tap's per-file timeout and the two run side by side. */
export async function visitsEndToEnd(t: Test, f: EngineFixture): Promise<void> {
  const dir = f.stateDir;
  const stateDir = join(dir, 'lab');
  const ports = { lan: await freePort(), mod: await freePort(), visit: await freePort(), 'HSIM-LAN1': await freePort(), 'HSIM-MOD1': await freePort() };
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify({
    stateDir,
    pacing: false,
    pbxs: [
      { id: 'HSIM-LAN1', trunks: ['0301234'], adminPorts: [{ bind: `tcp:127.0.0.1:${ports.lan}` }], lan: { centre: '127.0.0.1:9', key: randomBytes(32).toString('base64'), teleservice: { port: 0 } } },
      { id: 'HSIM-MOD1', trunks: ['0301235'], adminPorts: [{ bind: `tcp:127.0.0.1:${ports.mod}` }] },
    ],
    modems: [
      { name: 'visit', number: VISIT_NUMBER, bind: `tcp:127.0.0.1:${ports.visit}`, profile: 'analog' },
      ...IDS.map((id) => ({ name: `centre-${id}`, number: CENTRE_NUMBERS[id], bind: `tcp:127.0.0.1:${ports[id]}`, profile: 'analog' })),
    ],
  }));
  const { banner } = await spawnLab(t, ['--config', configPath, '--no-centre', '--log-level', 'warn']);
  const db = ['--db', f.spec, '-s', dir, '--log-level', 'warn'];
  // One after the other: the first opens (and migrates) the database before the second does.
  for (const id of IDS) {
    const centre = new LineChild(...cliCommand(['centre', 'receive', '--modem', `tcp:127.0.0.1:${ports[id]}`, ...db]));
    t.teardown(async () => {
      if (centre.proc.exitCode === null && centre.proc.signalCode === null) centre.proc.kill('SIGKILL');
      await centre.exited;
    });
    await centre.expect(/^receiving on /, 20_000);
  }
  await installForVisits(ports.lan, CENTRE_NUMBERS['HSIM-LAN1']);
  await installForVisits(ports.mod, CENTRE_NUMBERS['HSIM-MOD1']);

  const route = JSON.parse((await controlRequest(labControlPath(stateDir), 'lan-route HSIM-LAN1')).text) as { address: string; port: number; route: ProviderRoute };
  for (const id of IDS) t.equal((await runCliAsync(['centre', 'device', 'add', id, '--kind', 'pbx', ...db])).status, 0, `${id} registered`);
  const secrets = { env: { HICOM_PIN: PIN, HICOM_PASSWORD: SERVICE.password } };
  const lanAccess = await runCliAsync(['maintenance', 'access', 'set', 'HSIM-LAN1', '--lan', `${route.address}:${route.port}`, '--lan-route', providerRouteText(route.route), '--modem', IMOD['HSIM-LAN1'], ...db], secrets);
  t.equal(lanAccess.status, 0, `access of the LAN PBX: ${lanAccess.stdout}${lanAccess.stderr}`);
  const modAccess = await runCliAsync(['maintenance', 'access', 'set', 'HSIM-MOD1', '--modem', IMOD['HSIM-MOD1'], ...db], secrets);
  t.match(modAccess.stdout, /^HSIM-MOD1: modem 0301235791 with PIN, as service; PIN and password stored sealed$/m, `access of the modem-only PBX: ${modAccess.stderr}`);
  const plan = await runCliAsync(['maintenance', 'plan', 'add', 'night', '--devices', IDS.join(','), '--cron', '0 3 * * *', '--minutes', '15', '--steps', 'errors,kds-backup,archive,function-test', '--function-test-wait', '4', ...db]);
  t.equal(plan.status, 0, `plan added: ${plan.stderr}`);

  const handle = await f.open();
  const records = new MaintenanceRecords(handle);
  const runNow = ['maintenance', 'run-now', 'night', '--modem', `tcp:127.0.0.1:${ports.visit}`, ...db];
  // The centre killed mid-visit: once the LAN visit has archived and waits for its function test's report.
  const first = spawn(...cliCommand(runNow), { stdio: 'ignore' });
  const firstExit = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
  let midVisit = false;
  for (let i = 0; i < 600 && !midVisit; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const [v] = await records.history({ deviceId: 'HSIM-LAN1' });
    midVisit = v?.steps.some((s) => s.step === 'archive' && s.outcome === 'ok') ?? false;
  }
  t.ok(midVisit, 'the first run got as far as the archive of the LAN PBX');
  first.kill('SIGKILL');
  t.equal(await firstExit, 'SIGKILL', 'the centre was killed mid-visit');
  const [cut] = await records.history({ deviceId: 'HSIM-LAN1' });
  t.equal(cut.state, 'running', 'the killed visit is left running in the records');

  const second = await runCliAsync(runNow, { timeoutMs: 300_000 });
  t.equal(second.status, 0, `the second run ends every visit: ${second.stdout}${second.stderr}`);
  t.match(second.stdout, /^HSIM-LAN1: done over lan$/m, 'the LAN PBX over the LAN');
  t.match(second.stdout, /^HSIM-MOD1: done over modem$/m, 'the modem-only PBX by modem');
  t.match(second.stdout, /^ {2}function-test#\d ok \d+ bytes: function test \d+ raised; its report reached the centre/m, 'per step what happened');
  const [lan] = await records.history({ deviceId: 'HSIM-LAN1' });
  t.equal(lan.id, cut.id, 'the killed visit itself was taken up, no new one started');
  const okSteps = lan.steps.filter((s) => s.outcome === 'ok').map((s) => s.step).filter((s) => s !== 'connect');
  t.same(okSteps, ['errors', 'kds-backup', 'archive', 'function-test', 'disconnect'], `resumed at the first unfinished step, nothing twice: ${lan.steps.map((s) => `${s.step}:${s.outcome}`).join(' ')}`);
  const [mod] = await records.history({ deviceId: 'HSIM-MOD1' });
  t.equal(mod.channel, 'modem', 'the modem-only PBX was visited by modem');
  t.match(mod.steps.find((s) => s.step === 'connect' && s.outcome === 'ok')?.output ?? '', /dialling 0301235791[\s\S]*CONNECT/, 'it was dialled');

  const reports = new MaintenanceReports(handle);
  for (const id of IDS) {
    const filed = await reports.list(id);
    t.equal(filed.length, 1, `${id}: the error memory filed once`);
    t.ok(filed[0]?.entries.some((e) => e.cls === 'B' && e.text === 'Trunk 3 no dial tone'), `${id}: with the raised error`);
    const backups = join(dir, 'centre', 'maintenance', 'kds-backups', id);
    t.ok(existsSync(join(backups, 'kds-000001.sealed')) && !existsSync(join(backups, 'kds-000002.sealed')), `${id}: one KDS backup version`);
    // The file of the year the archive step ran in (UTC), which is not this year when the run crossed New Year.
    const visit = id === 'HSIM-LAN1' ? lan : mod;
    const archived = visit.steps.find((s) => s.step === 'archive' && s.outcome === 'ok');
    const shelf = new ArchiveShelf(join(dir, 'centre', 'maintenance', 'archives'));
    const years = shelf.years(id);
    const ran = [archived?.startedAt ?? 0, archived?.endedAt ?? 0].map((at) => new Date(at).getUTCFullYear());
    t.ok(years.length === 1 && years[0] >= ran[0] && years[0] <= ran[1], `${id}: one archive file, of the year the archive step ran in (${years.join(', ')}; step in ${ran.join('-')})`);
    const arc = verifyArchive(shelf.fileFor(id, years[0]));
    t.ok(arc.ok, `${id}: the archive verifies`);
    t.equal(arc.entries.filter((e) => e.user === 'service' && e.command === 'B1-1').length, 1, `${id}: the visit's B1-1 archived once, under the service user`);
    t.equal(new Set(arc.entries.map((e) => e.seq)).size, arc.entries.length, `${id}: nothing archived twice`);
  }

  const off = await runCliAsync(['maintenance', 'deactivate', 'HSIM-LAN1', '-s', stateDir, '--db', f.spec, '--log-level', 'warn']);
  t.equal(off.status, 0, `deactivated: ${off.stderr}`);
  const proof = await runCliAsync(['maintenance', 'verify-deactivated', 'HSIM-LAN1', '--json', '-s', stateDir, '--db', f.spec, '--log-level', 'warn']);
  t.equal(proof.status, 0, `verify-deactivated proves it: ${proof.stderr}`);
  t.match(JSON.parse(proof.stdout) as object, { unreachable: true, tcp: { reached: false } }, 'the LAN PBX is unreachable from the provider side');
  if (/real network namespaces/.test(banner)) t.match(JSON.parse(proof.stdout) as object, { ping: { reached: false } }, 'and the ping gets no answer');
}
