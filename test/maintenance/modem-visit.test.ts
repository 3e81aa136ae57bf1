import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import type { DeviceAccess } from '../../src/database/maintenance-access.js';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { MaintenanceReports } from '../../src/database/maintenance-reports.js';
import { ArchiveShelf } from '../../src/maintenance/archive-shelf.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { KdsBackupVault } from '../../src/maintenance/kds-backup-vault.js';
import { MaintenanceRunner } from '../../src/maintenance/maintenance-runner.js';
import { SessionVisitor } from '../../src/maintenance/session-visitor.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { addUser } from '../support/add-user.js';
import { AdminTerminal, firstLogin } from '../support/pbx-harness.js';
import { configure, enableSignaling, startTeleserviceLab, TECH_NUMBER, viaTrunk } from '../support/teleservice-lab.js';
import { ALL_STEPS, PIN, SERVICE_USER } from '../support/visit-rig.js';

/**
 * A modem-only PBX visited by the centre's modem, in virtual time on the
 * lab's telephone network at 2400 bit/s pacing: dial-in with the PIN, and
 * the callback the PBX's KDS configures. The function test's report comes
 * over the PBX's own modem to the lab's centre once the visit hung up.
 */

/** HSIM-0001's IMOD from outside: trunk 0301201, IMOD 791. */
const IMOD = '0301201791';

async function modemRig(t: Test, callback: boolean) {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx } = tl.pbx();
  const local = new AdminTerminal(pbx);
  firstLogin(local);
  if (addUser(local, SERVICE_USER) !== 'OK') throw new Error('user add service');
  local.cmd('logout');
  configure(pbx, { pin: PIN, ...(callback ? { 'callback.2.number': viaTrunk(TECH_NUMBER), 'callback.2.code': '4711' } : {}) });
  enableSignaling(pbx, 1);
  const db = tl.lab.centreDatabase!;
  const master = MasterKey.load(tl.dir, {});
  await (await DeviceRegistry.open(db, master)).add('HSIM-0001', 'pbx', {}, { actor: 'test' });
  const records = new MaintenanceRecords(db);
  const reports = new MaintenanceReports(db);
  const access = new Map<string, DeviceAccess>([['HSIM-0001', {
    deviceId: 'HSIM-0001', modem: { number: IMOD, ...(callback ? { callbackIndex: 2 } : {}) }, serviceUser: SERVICE_USER.name, pin: PIN, password: SERVICE_USER.password, ...(callback ? { callbackCode: '4711' } : {}),
  }]]);
  const vault = new KdsBackupVault(join(tl.dir, 'kds-backups'), master);
  const shelf = new ArchiveShelf(join(tl.dir, 'archives'));
  const visitor = new SessionVisitor({
    access,
    lines: {
      lan: () => Promise.reject(new Error('no LAN')),
      async modem() {
        const pair = createLinePair('centre visit modem');
        if (!tl.lab.modems.get('technician')!.slot.plug(pair.dce)) throw new Error('the modem is in use');
        return pair.dte;
      },
    },
    now: () => tl.clock.now(),
    clock: tl.clock,
    reports,
    vault,
    shelf,
    apsImage: () => undefined,
    functionTestWaitMs: 9 * 60_000,
    functionTestPollMs: 15_000,
  });
  const runner = new MaintenanceRunner({ clock: tl.clock, records, visitor, modems: 1, lanConcurrency: 1 });
  const plan = await records.addPlan({
    name: 'nightly', selection: { devices: ['HSIM-0001'] }, windowCron: '0 20 * * *', windowMinutes: 120, timeZone: 'UTC', holidays: [], steps: ALL_STEPS,
    targetAps: null, loadAps: false, backupRetention: 3, maxRetries: 2, serviceUser: SERVICE_USER.name, createdAt: tl.clock.now(), createdBy: 'test',
  }, { actor: 'test' });
  const now = tl.clock.now();
  const summary = await runInVirtualTime(tl.clock, runner, runner.runWindow(plan, { start: now, end: now + 2 * 3600_000 }));
  const [visit] = await records.history({ deviceId: 'HSIM-0001' });
  return { tl, pbx, summary, visit, vault, shelf, reports };
}

t.test('a modem-only PBX is visited by modem: dial, PIN, login, every step, and the function test reported over its own modem', async (t) => {
  const { summary, visit, vault, shelf, reports, pbx } = await modemRig(t, false);
  t.equal(summary.done, 1, `done: ${JSON.stringify(summary)}`);
  t.equal(visit.channel, 'modem', 'by modem');
  t.same(visit.steps.map((s) => `${s.step}:${s.outcome}`), ['connect:ok', 'errors:ok', 'kds-backup:ok', 'archive:ok', 'aps:ok', 'function-test:ok', 'disconnect:ok'], `every step: ${visit.steps.map((s) => `${s.step} ${s.output}`).join(' | ')}`);
  t.match(visit.steps[0].output, /dialling 0301201791[\s\S]*CONNECT[\s\S]*logged in as service over modem dial-in/, 'the dial and the login');
  t.match(visit.steps.find((s) => s.step === 'function-test')!.output, /hung up so the PBX can signal over its modem [\s\S]*; its report reached the centre after \d+ s/, 'hung up, then the report arrived');
  t.match(visit.steps.at(-1)!.output, /line was down already/, 'nothing left to disconnect');
  t.same(vault.versions('HSIM-0001'), [1], 'the KDS backup landed');
  t.ok(shelf.years('HSIM-0001').length === 1, 'the archive landed');
  t.equal((await reports.list('HSIM-0001')).length, 1, 'the error memory was filed');
  t.ok(pbx.log.read().some((e) => e.user === 'service' && e.command === 'signaling test'), 'the PBX logged the function test under the service user');
});

t.test('a PBX whose KDS configures a callback is visited by callback: registered at the PIN prompt, called back, logged in without PIN', async (t) => {
  const { summary, visit, pbx, shelf } = await modemRig(t, true);
  t.equal(summary.done, 1, `done: ${JSON.stringify(summary)}`);
  t.match(visit.steps[0].output, /callback 2 registered; waiting for the PBX to call back[\s\S]*CONNECT[\s\S]*logged in as service over modem callback/, `the callback: ${visit.steps[0].output}`);
  // The archive step took the registration out of the PBX into the year's file.
  const logged = [...verifyArchive(shelf.fileFor('HSIM-0001', new Date(visit.startedAt).getUTCFullYear())).entries, ...pbx.log.read()];
  t.ok(logged.some((e) => /^CALLBACK 2 registered IMOD/.test(e.command)), 'the PBX logged the callback registration');
  t.same(visit.steps.map((s) => s.outcome), visit.steps.map(() => 'ok'), `every step ok: ${visit.steps.map((s) => `${s.step}:${s.outcome}`).join(' ')}`);
});
