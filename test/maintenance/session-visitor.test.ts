import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildApsImage } from '../../firmware-sim/aps-image.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { onBothEngines } from '../support/both-engines.js';
import { SERVICE_USER, visitRig } from '../support/visit-rig.js';

onBothEngines(t, 'a night visit over LAN teleservice does every step on the real PBX and records each', async (t, f) => {
  const rig = await visitRig(f);
  const p = rig.pbxs.get('HSIM-0001')!;
  p.pbx.errors.add({ time: rig.clock.now(), cls: 'B', code: 0x0210, location: 'S1/P3', text: 'Trunk 3 no dial tone', pseudo: false });
  const plan = await rig.plan();
  const summary = await rig.night(plan);
  t.equal(summary?.done, 1, `the visit is done: ${JSON.stringify(summary)}`);
  const [visit] = await rig.records.history({ deviceId: 'HSIM-0001' });
  t.equal(visit.channel, 'lan', 'visited over the LAN');
  t.same(visit.steps.map((s) => `${s.step}:${s.outcome}`), ['connect:ok', 'errors:ok', 'kds-backup:ok', 'archive:ok', 'aps:ok', 'function-test:ok', 'disconnect:ok'], `every step ok: ${visit.steps.map((s) => `${s.step} ${s.output}`).join(' | ')}`);
  t.ok(visit.steps.every((s) => s.bytes > 0 || s.step === 'disconnect'), `each step counts the bytes that crossed the line: ${visit.steps.map((s) => s.bytes).join(', ')}`);
  const errors = visit.steps.find((s) => s.step === 'errors')!;
  t.match(errors.output, /^1 entry read \(B1-1\), filed as error report \d+/, 'the errors step says what it read and filed');
  const filed = await rig.reports.list('HSIM-0001');
  t.equal(filed.length, 1, 'one error report filed at the centre');
  t.match(filed[0], { visitId: visit.id, entries: [{ cls: 'B', code: '0210', location: 'S1/P3', text: 'Trunk 3 no dial tone', functionTest: false }] }, 'the error memory as the PBX listed it');
  t.same(rig.vault.versions('HSIM-0001'), [1], 'KDS backup version 1 kept');
  const backup = rig.vault.open('HSIM-0001', 1);
  t.equal(backup.image.systemId, 'HSIM-0001', 'the backup opens under the master key and holds the PBX\'s KDS');
  t.ok(backup.users.some((u) => u.name === SERVICE_USER.name), 'with its user table');
  const arc = rig.shelf.fileFor('HSIM-0001', 2026);
  const verified = verifyArchive(arc);
  t.ok(verified.ok, `the year's archive verifies: ${JSON.stringify(verified.problems)}`);
  t.ok(verified.entries.some((e) => e.command === 'B1-1' && e.user === SERVICE_USER.name), 'the archive holds the visit\'s own B1-1');
  t.equal(p.pbx.log.read().filter((e) => e.command.startsWith('D1-1')).length, 1, 'the PBX logged the archiving (D1-1) once');
  t.match(visit.steps.find((s) => s.step === 'function-test')!.output, /function test \d+ raised; its report reached the centre after \d+ s/, 'the function test waited for its report');
  t.equal(p.open.size, 0, 'the line is closed after the visit');
});

onBothEngines(t, 'the PBX\'s protocol log shows the visit exactly as a technician\'s session, under the plan\'s service user', async (t, f) => {
  const rig = await visitRig(f);
  const summary = await rig.night(await rig.plan());
  t.equal(summary?.done, 1, 'done');
  t.same(readdirSync(join(rig.shelf.dir, 'HSIM-0001')), ['HSIM-0001-2026.arc'], 'one yearly archive file');
  // Everything the PBX ever logged: what the visit archived out of it, then what it still holds.
  const all = [...verifyArchive(rig.shelf.fileFor('HSIM-0001', 2026)).entries, ...rig.pbxs.get('HSIM-0001')!.log.read()];
  const visit = all.filter((e) => e.user === SERVICE_USER.name).map((e) => `${e.user} ${e.circle} (${e.format}) ${e.command}`);
  t.same(visit, [
    'service S (3) A0-1',
    'service S (6) B1-1',
    `service S (8) D1-1 ${visit[2]?.split(' D1-1 ')[1] ?? '?'}`,
    'service S (6) signaling test',
    'service S (3) A0-2',
  ], `the visit's changes and actions, in order, as for a technician in System maintenance (reads are not logged): ${visit.join(' | ')}`);
  t.match(visit[2], /D1-1 /, 'the archiving entry');
});

onBothEngines(t, 'a PBX with someone logged in is busy: the visitor logs out again at once and the runner comes back later', async (t, f) => {
  const rig = await visitRig(f);
  const p = rig.pbxs.get('HSIM-0001')!;
  p.local.login('serv', 'servpw');
  const plan = await rig.plan();
  rig.clock.setTimer(VISIT_LATER_MS, () => p.local.cmd('logout'));
  const summary = await rig.night(plan);
  t.ok((summary?.busySkips ?? 0) >= 1, `skipped while the technician was on: ${JSON.stringify(summary)}`);
  t.equal(summary?.done, 1, 'visited later in the window');
  const [visit] = await rig.records.history({ deviceId: 'HSIM-0001' });
  const busy = visit.steps.find((s) => s.outcome === 'busy')!;
  t.match(busy.output, /in use: \d+ local serv S .* V\.24/, `the skip names who was on: ${busy.output}`);
  t.ok(existsSync(rig.shelf.fileFor('HSIM-0001', 2026)), 'and the work was done after all');
});

/** The technician of the busy test logs out 20:12, after the visitor's first try. */
const VISIT_LATER_MS = 8 * 3600_000 + 12 * 60_000;

const TARGET_APS = 'HE300M.00.002.01';

onBothEngines(t, 'the APS step checks the running version against the plan\'s target and loads the centre\'s image only when the plan says so', async (t, f) => {
  const image = buildApsImage({ version: TARGET_APS, type: PbxType.OfficePro, body: Buffer.alloc(8192, 0x5a) });
  const rig = await visitRig(f, ['LOAD', 'CHECK', 'NOIMAGE', 'NOTARGET'], { apsImages: new Map([[TARGET_APS, image]]) });
  const run = async (id: string, over: Parameters<typeof rig.plan>[0]) => {
    const plan = await rig.plan({ name: `aps-${id}`, selection: { devices: [id] }, steps: ['aps'], maxRetries: 0, ...over });
    await rig.night(plan);
    const [visit] = await rig.records.history({ deviceId: id });
    return { visit, aps: visit.steps.find((s) => s.step === 'aps')! };
  };
  const load = await run('LOAD', { targetAps: TARGET_APS, loadAps: true });
  t.equal(load.aps.outcome, 'ok', `loaded: ${load.aps.output}`);
  t.match(load.aps.output, /^APS HE300M\.00\.002\.01 loaded \(8320 bytes; was HE300M\.00\.001\.01\)/, 'says what it loaded over what');
  t.ok(load.aps.bytes > 8192, `the image crossed the line (${load.aps.bytes} bytes)`);
  t.equal(rig.pbxs.get('LOAD')!.pbx.apsVersion, TARGET_APS, 'the PBX runs the target now');
  t.ok(rig.logged('LOAD').some((l) => l === `service (5) A2-2 APSXF ${TARGET_APS}`), `the load is logged under the service user: ${rig.logged('LOAD').slice(-4).join(' | ')}`);
  const check = await run('CHECK', { targetAps: TARGET_APS, loadAps: false });
  t.equal(check.aps.outcome, 'ok', 'a plan that only checks');
  t.match(check.aps.output, /runs APS HE300M\.00\.001\.01, the plan's target is HE300M\.00\.002\.01: not loaded \(the plan only checks\)/, 'reports the difference');
  t.equal(rig.pbxs.get('CHECK')!.pbx.apsVersion, 'HE300M.00.001.01', 'and loads nothing');
  const missing = await run('NOIMAGE', { targetAps: 'HE300M.00.009.01', loadAps: true });
  t.equal(missing.aps.outcome, 'failed', 'no image of the target: the step fails');
  t.match(missing.aps.output, /no image of the target HE300M\.00\.009\.01 in the centre's APS library/, `and says why: ${missing.aps.output}`);
  t.equal(missing.visit.state, 'failed', 'the visit ends failed with it');
  const none = await run('NOTARGET', {});
  t.match(none.aps.output, /^runs APS HE300M\.00\.001\.01; the plan names no target$/, 'without a target it reports the version');
});
