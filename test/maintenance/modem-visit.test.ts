import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { createLinePair, type TerminalEndpoint } from '../../src/adapters/line-pair.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import type { DeviceAccess } from '../../src/database/maintenance-access.js';
import { MaintenanceRecords } from '../../src/database/maintenance-records.js';
import { MaintenanceReports } from '../../src/database/maintenance-reports.js';
import { ArchiveShelf } from '../../src/maintenance/archive-shelf.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { KdsBackupVault } from '../../src/maintenance/kds-backup-vault.js';
import type { MaintenanceStep } from '../../src/maintenance/maintenance-plan.js';
import { MaintenanceRunner } from '../../src/maintenance/maintenance-runner.js';
import { SessionVisitor } from '../../src/maintenance/session-visitor.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { addUser } from '../support/add-user.js';
import { AdminTerminal, firstLogin } from '../support/pbx-harness.js';
import { configure, enableSignaling, startTeleserviceLab, TECH_NUMBER, viaTrunk, type TeleserviceLab } from '../support/teleservice-lab.js';
import { ALL_STEPS, PIN, SERVICE_USER } from '../support/visit-rig.js';

/**
 * A modem-only PBX visited by the centre's modem, in virtual time on the
 * lab's telephone network at 2400 bit/s pacing: dial-in with the PIN, and
 * the callback the PBX's KDS configures. The function test's report comes
 * over the PBX's own modem to the lab's centre once the visit hung up.
 */

/** HSIM-0001's IMOD from outside: trunk 0301201, IMOD 791. */
const IMOD = '0301201791';

interface ModemRigOptions {
  callback?: boolean;
  /** The PBX's LAN teleservice as its access names it, and what connecting there does (default: no LAN in its access). */
  lan?: { connect(): Promise<LineEndpoint>; joined?: boolean };
  /** Leave the IMOD number out of the access (a LAN-only PBX). */
  noModem?: boolean;
  /** Each line the visitor's modem opens (its DTE side), before the visitor writes to it. */
  onModemLine?(line: TerminalEndpoint, tl: TeleserviceLab): void;
  steps?: MaintenanceStep[];
}

async function modemRig(t: Test, o: ModemRigOptions = {}) {
  const callback = o.callback === true;
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
    deviceId: 'HSIM-0001', serviceUser: SERVICE_USER.name, pin: PIN, password: SERVICE_USER.password, ...(callback ? { callbackCode: '4711' } : {}),
    ...(o.noModem ? {} : { modem: { number: IMOD, ...(callback ? { callbackIndex: 2 } : {}) } }),
    ...(o.lan ? { lan: { host: '192.168.101.10', port: 2300, route: 'direct' } } : {}),
  }]]);
  const vault = new KdsBackupVault(join(tl.dir, 'kds-backups'), master);
  const shelf = new ArchiveShelf(join(tl.dir, 'archives'));
  const visitor = new SessionVisitor({
    access,
    lines: {
      lan: () => o.lan?.connect() ?? Promise.reject(new Error('no LAN')),
      async modem() {
        const pair = createLinePair('centre visit modem');
        if (!tl.lab.modems.get('technician')!.slot.plug(pair.dce)) throw new Error('the modem is in use');
        o.onModemLine?.(pair.dte, tl);
        return pair.dte;
      },
    },
    lanJoined: () => o.lan?.joined ?? true,
    now: () => tl.clock.now(),
    clock: tl.clock,
    reports,
    vault,
    shelf,
    apsImage: () => undefined,
    functionTestPollMs: 15_000,
  });
  const runner = new MaintenanceRunner({ clock: tl.clock, records, visitor, modems: 1, lanConcurrency: 1 });
  const plan = await records.addPlan({
    name: 'nightly', selection: { devices: ['HSIM-0001'] }, windowCron: '0 20 * * *', windowMinutes: 120, timeZone: 'UTC', holidays: [], steps: o.steps ?? ALL_STEPS,
    targetAps: null, loadAps: false, backupRetention: 3, maxRetries: 2, serviceUser: SERVICE_USER.name, createdAt: tl.clock.now(), createdBy: 'test',
  }, { actor: 'test' });
  const now = tl.clock.now();
  const summary = await runInVirtualTime(tl.clock, runner, runner.runWindow(plan, { start: now, end: now + 2 * 3600_000 }));
  const [visit] = await records.history({ deviceId: 'HSIM-0001' });
  return { tl, pbx, summary, visit, vault, shelf, reports };
}

t.test('a modem-only PBX is visited by modem: dial, PIN, login, every step, and the function test reported over its own modem', async (t) => {
  const { summary, visit, vault, shelf, reports, pbx } = await modemRig(t);
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
  const { summary, visit, pbx, shelf } = await modemRig(t, { callback: true });
  t.equal(summary.done, 1, `done: ${JSON.stringify(summary)}`);
  t.match(visit.steps[0].output, /callback 2 registered; waiting for the PBX to call back[\s\S]*CONNECT[\s\S]*logged in as service over modem callback/, `the callback: ${visit.steps[0].output}`);
  // The archive step took the registration out of the PBX into the year's file.
  const logged = [...verifyArchive(shelf.fileFor('HSIM-0001', new Date(visit.startedAt).getUTCFullYear())).entries, ...pbx.log.read()];
  t.ok(logged.some((e) => /^CALLBACK 2 registered IMOD/.test(e.command)), 'the PBX logged the callback registration');
  t.same(visit.steps.map((s) => s.outcome), visit.steps.map(() => 'ok'), `every step ok: ${visit.steps.map((s) => `${s.step}:${s.outcome}`).join(' ')}`);
});

/** The first command of each step, as the visitor types it. */
const STEP_COMMAND: Record<MaintenanceStep, string> = {
  errors: 'errors show',
  'kds-backup': 'kds read',
  archive: 'log archive begin',
  aps: 'aps show',
  'function-test': 'signaling test',
};

/**
 * Drop the call under the visit when the visitor first types `command`:
 * `before` the PBX sees it, or once it has crossed (`reply-lost`: the PBX
 * acted, its answer is lost). The exchange releases the call, so the
 * centre's modem loses the carrier as on a real line.
 */
function dropCallAt(command: string, mode: 'before' | 'reply-lost'): ModemRigOptions['onModemLine'] {
  let dropped = false;
  return (line, tl) => {
    const write = line.write.bind(line);
    line.write = (data) => {
      const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
      if (dropped || !text.startsWith(command)) return write(data);
      dropped = true;
      if (mode === 'before') {
        tl.lab.cutLine('HSIM-0001:791', { afterBytes: 0 });
        return write(data);
      }
      write(data);
      tl.lab.cutLine('HSIM-0001:791', { afterBytes: text.length });
    };
  };
}

for (const step of ALL_STEPS) {
  for (const mode of ['before', 'reply-lost'] as const) {
    t.test(`the call drops at ${step} (${mode === 'before' ? 'before the PBX saw its command' : 'after the PBX acted, before its answer'}): the modem's lost carrier is a lost line, the visit reconnects and ends done`, async (t) => {
      const { tl, summary, visit, pbx, vault, reports } = await modemRig(t, { onModemLine: dropCallAt(STEP_COMMAND[step], mode) });
      const trail = visit.steps.map((s) => `${s.step}:${s.outcome}`).join(' ');
      t.equal(summary.done, 1, `done: ${JSON.stringify(summary)} — ${trail} | ${visit.steps.map((s) => s.output).join(' | ')}`);
      const broke = visit.steps.find((s) => s.step === step && s.outcome === 'failed');
      t.match(broke?.output ?? '', /^the line broke: the modem lost the carrier/, `${step}: the attempt fails at once as a lost line: ${broke?.output}`);
      t.ok(broke && broke.endedAt - broke.startedAt < 15_000, `${step}: no wait for an answer that cannot come (${broke ? broke.endedAt - broke.startedAt : '?'} ms)`);
      t.equal(visit.steps.filter((s) => s.step === 'connect' && s.outcome === 'ok').length, 2, `reconnected once: ${trail}`);
      t.same(visit.steps.filter((s) => s.outcome === 'ok' && s.step !== 'connect').map((s) => s.step), [...ALL_STEPS, 'disconnect'], `each step done once: ${trail}`);
      const tests = await tl.lab.centreDatabase!.kysely.selectFrom('reports').select('seq').where('system_id', '=', 'HSIM-0001').where('function_test', '=', 1).execute();
      t.equal(tests.length, 1, `the centre got one function test (the PBX deletes it from its error memory once acknowledged): ${JSON.stringify(tests)}`);
      t.equal(pbx.log.read().filter((e) => e.command === 'signaling test').length, 1, 'the PBX logged one function test');
      t.same(vault.versions('HSIM-0001'), [1], 'one KDS version');
      t.equal((await reports.list('HSIM-0001')).length, 1, 'the error memory filed once');
    });
  }
}

/** Ways the LAN teleservice connect fails, as the provider network's connect reports them. */
const LAN_FAILURES = [
  { what: 'refused', lan: { connect: () => Promise.reject(new Error('connect ECONNREFUSED 192.168.101.10:2300')) }, says: /LAN teleservice 192\.168\.101\.10:2300 failed: connect ECONNREFUSED/ },
  { what: 'timed out', lan: { connect: () => Promise.reject(new Error('no answer within 5000 ms')) }, says: /LAN teleservice 192\.168\.101\.10:2300 failed: no answer within 5000 ms/ },
  { what: 'deactivated', lan: { connect: () => Promise.reject(new Error('must not be tried')), joined: false }, says: /the LAN of HSIM-0001 is not joined to the provider network \(deactivated\)/ },
];

for (const f of LAN_FAILURES) {
  t.test(`the LAN connect fails (${f.what}) and the PBX has modem access: the same visit goes on by modem and says why`, async (t) => {
    const { summary, visit, vault } = await modemRig(t, { lan: f.lan });
    t.equal(summary.done, 1, `done: ${JSON.stringify(summary)}`);
    t.equal(visit.channel, 'modem', 'the visit is recorded as by modem');
    const connects = visit.steps.filter((s) => s.step === 'connect');
    t.same(connects.map((s) => s.outcome), ['ok'], 'one connect, in the same attempt');
    t.match(connects[0].output, f.says, `the connect says why the LAN failed: ${connects[0].output}`);
    t.match(connects[0].output, /falling back to the modem \(dial-in\)\ndialling 0301201791[\s\S]*logged in as service over modem dial-in/, 'then the modem path');
    t.same(vault.versions('HSIM-0001'), [1], 'the steps ran');
  });
}

t.test('the LAN connect fails and the PBX has no modem access: the visit fails with the LAN reason', async (t) => {
  const { summary, visit } = await modemRig(t, { lan: LAN_FAILURES[0].lan, noModem: true });
  t.equal(summary.failed, 1, `failed: ${JSON.stringify(summary)}`);
  t.equal(visit.state, 'failed', 'the visit failed');
  t.match(visit.detail, /^connect failed 3 times: LAN teleservice 192\.168\.101\.10:2300 failed: connect ECONNREFUSED[^\n]*\nHSIM-0001 has no modem access to fall back to/, `the reason: ${visit.detail}`);
  t.same(visit.steps.map((s) => `${s.step}:${s.outcome}`), ['connect:failed', 'connect:failed', 'connect:failed'], 'three connect attempts, nothing else');
});
