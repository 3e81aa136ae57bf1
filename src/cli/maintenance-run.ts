import type { Command } from 'commander';
import type { CentreDatabase } from '../database/centre-database.js';
import { MaintenanceRecords, type PlanRecord } from '../database/maintenance-records.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { clockWindowCron } from '../maintenance/clock-window.js';
import { functionTestWaitMs } from '../maintenance/function-test-wait.js';
import { PlanError, type MaintenanceStep, type PlanSpec } from '../maintenance/maintenance-plan.js';
import { MaintenancePlans, type ZoneWindows } from '../maintenance/maintenance-plans.js';
import { MAINTENANCE_SCHEDULE_TOPIC, MaintenanceWindows } from '../database/maintenance-windows.js';
import type { CentreDbOptions } from './centre-options.js';
import { cliLogger, localActor, notifyServices, openCentreDatabase } from './centre-db-run.js';

/** What `maintenance plan add` was given (parsed by maintenance.ts). */
export interface PlanAddOptions extends CentreDbOptions {
  devices?: string;
  customer?: string;
  window?: { start: [number, number]; minutes: number };
  days: string;
  cron?: string;
  minutes?: number;
  timeZone: string;
  holidays?: string;
  steps: string;
  targetAps?: string;
  loadAps?: boolean;
  retention: number;
  retries: number;
  lanConcurrency: number;
  serviceUser: string;
  functionTestWait?: number;
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

/** The plan the options describe; a wrong combination is refused with the options named. */
function specOf(name: string, o: PlanAddOptions): PlanSpec {
  if ((o.devices === undefined) === (o.customer === undefined)) throw new PlanError('devices', 'give either --devices ID,… or --customer NAME');
  if ((o.window === undefined) === (o.cron === undefined)) throw new PlanError('window', 'give either --window HH:MM-HH:MM (with --days) or --cron EXPR --minutes N');
  let cron: string;
  let minutes: number;
  if (o.window) {
    const w = o.window;
    cron = clockWindowCron({ hour: w.start[0], minute: w.start[1] }, o.days);
    minutes = w.minutes;
  } else {
    if (o.minutes === undefined) throw new PlanError('minutes', '--cron needs --minutes, the window\'s length');
    cron = o.cron ?? '';
    minutes = o.minutes;
  }
  return {
    name,
    selection: o.devices !== undefined ? { devices: list(o.devices) } : { customer: o.customer ?? '' },
    window: { cron, minutes, timeZone: o.timeZone, holidays: list(o.holidays) },
    steps: list(o.steps) as MaintenanceStep[],
    ...(o.targetAps !== undefined ? { targetAps: o.targetAps } : {}),
    loadAps: o.loadAps === true,
    backupRetention: o.retention,
    maxRetries: o.retries,
    lanConcurrency: o.lanConcurrency,
    serviceUser: o.serviceUser,
    ...(o.functionTestWait !== undefined ? { functionTestWaitMinutes: o.functionTestWait } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `Europe/Berlin (2 devices)`: a time-zone group of a plan. */
const zoneLabel = (z: ZoneWindows) => `${z.timeZone} (${z.devices.length} device${z.devices.length === 1 ? '' : 's'})`;

function describe(p: PlanRecord, zones: ZoneWindows[]): string[] {
  const windows = zones.length === 1 ? zones[0].windows.map((w) => `${iso(w.start)} – ${iso(w.end)}`) : zones.flatMap((z) => z.windows.map((w) => `${iso(w.start)} – ${iso(w.end)} ${zoneLabel(z)}`));
  return [
    `name: ${p.name}`,
    `devices: ${'devices' in p.selection ? p.selection.devices.join(', ') : `every PBX of customer ${p.selection.customer}`}`,
    `window: cron "${p.windowCron}", ${p.windowMinutes} min, time zone ${p.timeZone}`,
    `time zones: ${zones.map(zoneLabel).join(', ')} (a device's own --tz, else the plan's)`,
    `holidays: ${p.holidays.join(', ') || '(none)'}`,
    `steps: connect, ${p.steps.join(', ')}, disconnect`,
    `aps: ${p.targetAps ? `target ${p.targetAps}${p.loadAps ? ', loaded when another runs' : ', checked only'}` : '(not checked)'}`,
    `kds backups kept: ${p.backupRetention}`,
    `retries per step: ${p.maxRetries}`,
    `lan visits at once: ${p.lanConcurrency}`,
    `function-test wait: ${functionTestWaitMs(p) / 60_000} min${p.functionTestWaitMinutes == null ? ' (default: the longest signaling interval and a call)' : ''}`,
    `service user: ${p.serviceUser}`,
    `created: ${iso(p.createdAt)} by ${p.createdBy}`,
    ...windows.map((w, i) => `${i === 0 ? 'next windows: ' : '              '}${w}`),
  ];
}

async function withRecords<T>(opts: CentreDbOptions, program: Command, body: (records: MaintenanceRecords, db: CentreDatabase) => Promise<T>): Promise<T> {
  const db = await openCentreDatabase(opts, cliLogger(program));
  try {
    return await body(new MaintenanceRecords(db), db);
  } finally {
    await db.close();
  }
}

export async function planAdd(program: Command, name: string, o: PlanAddOptions): Promise<void> {
  await withRecords(o, program, async (records, db) => {
    try {
      const plans = new MaintenancePlans(records);
      const p = await plans.add(specOf(name, o), localActor(), Date.now());
      await notifyServices(db, cliLogger(program, 'one-shot'), { topic: MAINTENANCE_SCHEDULE_TOPIC });
      process.stdout.write(`${describe(p, await plans.zoneWindows(p, Date.now(), 3)).join('\n')}\n`);
    } catch (err) {
      if (err instanceof PlanError) throw new ExitError(`plan ${name}: ${err.message}`, EXIT.usage);
      throw err;
    }
  });
}

export async function planList(program: Command, o: CentreDbOptions): Promise<void> {
  await withRecords(o, program, async (records) => {
    const plans = await records.listPlans();
    for (const p of plans) {
      const zones = await new MaintenancePlans(records).zoneWindows(p, Date.now(), 1);
      const next = zones.map((z) => `${z.windows[0] ? iso(z.windows[0].start) : '(none)'}${zones.length > 1 ? ` ${zoneLabel(z)}` : ''}`);
      process.stdout.write(`${p.name}\t${'devices' in p.selection ? `${p.selection.devices.length} devices` : `customer ${p.selection.customer}`}\t"${p.windowCron}" ${p.windowMinutes} min ${p.timeZone}\tnext ${next.join(', ')}\n`);
    }
    if (plans.length === 0) process.stderr.write('no maintenance plans (add one with: hicom-sim maintenance plan add)\n');
  });
}

export async function planShow(program: Command, name: string, o: CentreDbOptions): Promise<void> {
  await withRecords(o, program, async (records, db) => {
    const p = await records.plan(name);
    if (!p) throw new ExitError(`no maintenance plan ${name}`, EXIT.usage);
    process.stdout.write(`${describe(p, await new MaintenancePlans(records).zoneWindows(p, Date.now(), 3)).join('\n')}\n`);
    const ledger = await new MaintenanceWindows(db).of(p.id, undefined, 5);
    for (const w of ledger) process.stdout.write(`${w === ledger[0] ? 'last windows: ' : '              '}${iso(w.start)} – ${iso(w.end)} ${w.timeZone} ${w.state}${w.state === 'running' ? ` by ${w.owner}` : ''}\n`);
  });
}

export async function planRemove(program: Command, name: string, o: CentreDbOptions): Promise<void> {
  await withRecords(o, program, async (records, db) => {
    if (!(await records.removePlan(name, localActor(), Date.now()))) throw new ExitError(`no maintenance plan ${name}`, EXIT.usage);
    await notifyServices(db, cliLogger(program, 'one-shot'), { topic: MAINTENANCE_SCHEDULE_TOPIC });
    process.stdout.write(`plan ${name} removed\n`);
  });
}

export async function history(program: Command, o: CentreDbOptions & { device?: string; limit: number; json?: boolean }): Promise<void> {
  await withRecords(o, program, async (records) => {
    const plans = new Map((await records.listPlans()).map((p) => [p.id, p.name]));
    const visits = await records.history({ deviceId: o.device, limit: o.limit });
    for (const v of visits) {
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ plan: plans.get(v.planId), ...v })}\n`);
        continue;
      }
      process.stdout.write(`${v.deviceId} plan ${plans.get(v.planId) ?? v.planId} window ${iso(v.windowStart)}: ${v.state}${v.channel ? ` over ${v.channel}` : ''}, ${iso(v.startedAt)} – ${v.endedAt === null ? '…' : iso(v.endedAt)}${v.detail ? ` (${v.detail})` : ''}\n`);
      for (const st of v.steps) process.stdout.write(`  ${st.step}#${st.attempt} ${st.outcome} ${iso(st.startedAt)} – ${iso(st.endedAt)} ${st.bytes} bytes${st.output ? `: ${st.output.split('\n')[0]}` : ''}\n`);
    }
    if (visits.length === 0) process.stderr.write(`no maintenance visits${o.device ? ` of ${o.device}` : ''} yet\n`);
  });
}
