import t from 'tap';
import { MaintenanceRecords, type PlanRecord } from '../../src/database/maintenance-records.js';
import { rightsMask } from '../../src/database/portal-rights.js';
import { onBothEngines } from '../support/both-engines.js';
import { portalRig, type PortalRig } from '../support/portal-rig.js';

/** Sunday 6 December 2026 20:00 UTC: the window of "last night" the records below fill. */
const NIGHT = Date.UTC(2026, 11, 6, 20);
const MIN = 60_000;

/**
 * A night as the runner leaves it: PBX-1 done over the LAN, PBX-2 failed at
 * its archive after a retry, PBX-3 cut by the window's end, PBX-4 skipped
 * busy and then done by modem; PBX-5 belongs to another customer's plan.
 */
async function night(rig: PortalRig): Promise<{ records: MaintenanceRecords; plan: PlanRecord }> {
  for (const [id, customer] of [['PBX-1', 'Acme'], ['PBX-2', 'Acme'], ['PBX-3', 'Acme'], ['PBX-4', 'Acme'], ['PBX-5', 'Other']]) await rig.registry.add(id, 'pbx', { customerName: customer }, { actor: 'cli:test' });
  const records = new MaintenanceRecords(rig.db);
  const base = { windowCron: '0 20 * * *', windowMinutes: 600, timeZone: 'UTC', holidays: [], steps: ['errors', 'kds-backup', 'archive'], targetAps: null, loadAps: false, backupRetention: 7, maxRetries: 1, serviceUser: 'service', createdAt: NIGHT - 86_400_000, createdBy: 'chef' };
  const plan = await records.addPlan({ ...base, name: 'acme-nightly', selection: { customer: 'Acme' } }, { actor: 'chef' });
  const other = await records.addPlan({ ...base, name: 'other-nightly', selection: { devices: ['PBX-5'] } }, { actor: 'chef' });
  const visit = async (p: PlanRecord, id: string, channel: string, steps: Array<[string, string, string]>, end: 'done' | 'failed' | 'cut', detail = '') => {
    const v = await records.startVisit({ planId: p.id, deviceId: id, windowStart: NIGHT, at: NIGHT });
    let at = NIGHT;
    let next = 0;
    for (const [step, outcome, output] of steps) {
      if (outcome === 'ok' && step !== 'connect' && step !== 'disconnect') next++;
      await records.recordStep({ visitId: v.id, step, attempt: 1, startedAt: at, endedAt: at + MIN, outcome: outcome as 'ok', output, bytes: 100 }, { nextStep: next, channel });
      at += MIN;
    }
    await records.endVisit(v.id, end, at, detail);
  };
  await visit(plan, 'PBX-1', 'lan', [['connect', 'ok', 'LAN 192.168.101.10'], ['errors', 'ok', '2 entries filed'], ['kds-backup', 'ok', 'backup v3'], ['archive', 'ok', '17 entries'], ['disconnect', 'ok', 'BYE']], 'done');
  await visit(plan, 'PBX-2', 'modem', [['connect', 'ok', 'CONNECT 14400'], ['errors', 'ok', '0 entries'], ['kds-backup', 'ok', 'backup v1'], ['archive', 'failed', 'NO CARRIER <after 812 bytes>'], ['archive', 'failed', 'NO CARRIER']], 'failed', 'archive failed 2 times: NO CARRIER');
  await visit(plan, 'PBX-3', 'modem', [['connect', 'ok', 'CONNECT 14400'], ['errors', 'ok', '1 entry'], ['kds-backup', 'not-started', "not started: its 5 min would cross the window's end"]], 'cut', "cut by the window's end before kds-backup; resumes there in the next window");
  await visit(plan, 'PBX-4', 'modem', [['connect', 'busy', 'sessions: V.24 admin'], ['connect', 'ok', 'CONNECT 14400'], ['errors', 'ok', ''], ['kds-backup', 'ok', ''], ['archive', 'ok', ''], ['disconnect', 'ok', '']], 'done');
  await visit(other, 'PBX-5', 'lan', [['connect', 'ok', ''], ['errors', 'ok', 'secret of Other'], ['disconnect', 'ok', '']], 'done');
  return { records, plan };
}

const rowsOf = (body: string): string[] => [...body.matchAll(/<tr data-device="([^"]+)" data-result="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);

onBothEngines(t, 'the control room: plans, last night failures first per device and step, a device history with every attempt', async (t, f) => {
  const rig = await portalRig(t, f);
  await night(rig);
  await rig.addPerson('chef', 'manager');
  const c = await rig.login('chef');
  const list = await c.request('GET', '/maintenance');
  t.equal(list.status, 200, 'the plans page opens');
  t.match(list.body, /aria-current="page">Maintenance</, 'with the navigation entry marked');
  t.same([...list.body.matchAll(/data-plan="([^"]+)"/g)].map((m) => m[1]), ['acme-nightly', 'other-nightly'], 'both plans listed');
  t.match(list.body, /every PBX of Acme; 4 you may see/, 'the selection in words with the devices it covers');
  t.match(list.body, /2026-12-06 20:00:00:[\s\S]*1 failed[\s\S]*1 cut[\s\S]*2 done/, 'last night in counts, failures first');
  const plan = await c.request('GET', '/maintenance/plans/acme-nightly');
  t.equal(plan.status, 200, 'the plan page opens');
  t.same(rowsOf(plan.body), ['PBX-2:failed', 'PBX-3:cut by the window end', 'PBX-1:done', 'PBX-4:done'], 'failures first, then cut, then done');
  t.match(plan.body, /data-device="PBX-2"[\s\S]*?archive: <span class="state state-alarm">failed<\/span> \(2 attempts\)[\s\S]*?archive failed 2 times: NO CARRIER/, 'the failed step with its attempts and the reason');
  t.match(plan.body, /data-device="PBX-3"[\s\S]*?kds-backup: <span class="state state-unknown">not started/, 'the step the window end left out');
  t.match(plan.body, /data-device="PBX-4"[\s\S]*?connect: <span class="state state-ok">ok<\/span><\/li>/, 'a busy skip followed by a good connect is one attempt, ok');
  t.match(plan.body, /data-count="failed">1<[\s\S]*data-count="done">2</, 'the counts of the night');
  t.match(plan.body, /connect → errors → kds-backup → archive → disconnect/, 'the steps in order');
  const h = await c.request('GET', '/devices/PBX-2/maintenance');
  t.equal(h.status, 200, 'the device history opens');
  t.equal([...h.body.matchAll(/<tr data-step="archive">/g)].length, 2, 'both archive attempts listed');
  t.match(h.body, /NO CARRIER &lt;after 812 bytes&gt;/, 'with their output, escaped');
  t.match(h.body, /Plan acme-nightly, window of 2026-12-06 20:00:00 UTC: <span class="state state-alarm">failed/, 'the visit in words');
  t.equal((await c.request('GET', '/maintenance/plans/nope')).status, 404, 'an unknown plan is a page saying so');
  t.equal((await c.request('GET', '/maintenance/plans/..%2Fx')).status, 400, 'a plan name that cannot be one is refused');
  t.equal((await c.request('GET', '/devices/NOPE/maintenance')).status, 404, 'an unknown device likewise');
});

onBothEngines(t, 'a partner sees the plans and results of granted devices only, with the right to see maintenance results', async (t, f) => {
  const rig = await portalRig(t, f);
  await night(rig);
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'PBX-2', rightsMask(['see-status', 'see-maintenance']), '', { actor: 'chef' }, rig.clock.now());
  await rig.portal.access.grants.set(inst, 'inst', 'PBX-4', rightsMask(['see-maintenance']), '', { actor: 'chef' }, rig.clock.now());
  await rig.portal.access.grants.set(inst, 'inst', 'PBX-1', rightsMask(['see-status', 'see-history']), '', { actor: 'chef' }, rig.clock.now());
  const c = await rig.login('inst');
  const list = await c.request('GET', '/maintenance');
  t.same([...list.body.matchAll(/data-plan="([^"]+)"/g)].map((m) => m[1]), ['acme-nightly'], 'only the plan that visits their devices');
  t.match(list.body, /2 you may see/, 'counting the two devices with the right, not the one without');
  t.notMatch(list.body, /other-nightly/, 'the other customer\'s plan is not named');
  const plan = await c.request('GET', '/maintenance/plans/acme-nightly');
  t.same(rowsOf(plan.body), ['PBX-2:failed', 'PBX-4:done'], 'the night shows their two devices only');
  t.match(plan.body, /data-count="failed">1<[\s\S]*data-count="cut">0<[\s\S]*data-count="done">1</, 'and counts only them');
  const other = await c.request('GET', '/maintenance/plans/other-nightly');
  t.equal(other.status, 404, 'another customer\'s plan is not found, as if it did not exist');
  t.notMatch(other.body, /secret of Other/, 'and shows nothing of it');
  t.equal((await c.request('GET', '/devices/PBX-4/maintenance')).status, 200, 'a granted device\'s history');
  t.equal((await c.request('GET', '/devices/PBX-1/maintenance')).status, 403, 'a device granted without the maintenance right is refused');
  t.equal((await c.request('GET', '/devices/PBX-5/maintenance')).status, 403, 'a device of another customer is refused');
  const none = await rig.addPerson('kunde', 'partner', 'customer');
  void none;
  const k = await rig.login('kunde');
  t.match((await k.request('GET', '/maintenance')).body, /No maintenance plan visits a device you may see/, 'a person without grants is told there is nothing');
});
