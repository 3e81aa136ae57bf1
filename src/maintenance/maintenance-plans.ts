import { MaintenanceRecordsError, type MaintenanceRecords, type PlanRecord } from '../database/maintenance-records.js';
import { checkPlan, nextWindow, PlanError, planWindow, windowIn, zoneGroups, type PlanSpec, type WindowSpan } from './maintenance-plan.js';

/** A plan's next windows for the devices in one time zone. */
export interface ZoneWindows {
  timeZone: string;
  devices: string[];
  windows: WindowSpan[];
}

/**
 * The plans a centre keeps (docs/maintenance-plans.md): checked with every
 * field named on refusal (an unknown device against the registry), stored
 * and audited with who added them.
 */
export class MaintenancePlans {
  constructor(private readonly records: MaintenanceRecords) {}

  async add(spec: PlanSpec, by: { actor: string; address?: string }, at: number): Promise<PlanRecord> {
    const ids = 'devices' in spec.selection ? spec.selection.devices.map((d) => d.trim()) : [];
    const known = await this.records.knownDevices(ids);
    const plan = checkPlan(spec, at, (id) => known.has(id));
    try {
      return await this.records.addPlan({
        name: plan.name,
        selection: plan.selection,
        windowCron: plan.window.cron,
        windowMinutes: plan.window.minutes,
        timeZone: plan.window.timeZone,
        holidays: plan.window.holidays,
        steps: plan.steps,
        targetAps: plan.targetAps ?? null,
        loadAps: plan.loadAps,
        backupRetention: plan.backupRetention,
        maxRetries: plan.maxRetries,
        serviceUser: plan.serviceUser,
        ...(plan.lanConcurrency !== undefined ? { lanConcurrency: plan.lanConcurrency } : {}),
        functionTestWaitMinutes: plan.functionTestWaitMinutes ?? null,
        createdAt: at,
        createdBy: by.actor,
      }, by);
    } catch (err) {
      if (err instanceof MaintenanceRecordsError) throw new PlanError('name', `a plan named ${plan.name} exists already`);
      throw err;
    }
  }

  /**
   * The plan's next windows from `at` per time zone its devices are in (each
   * device's own, else the plan's), earliest zone first; a plan without
   * devices has the plan's zone.
   */
  async zoneWindows(plan: PlanRecord, at: number, count: number): Promise<ZoneWindows[]> {
    const devices = await this.records.devicesOf(plan.selection);
    const groups = zoneGroups(plan.timeZone, devices, await this.records.timeZonesOf(devices));
    if (groups.size === 0) groups.set(plan.timeZone, []);
    const out = [...groups].map(([timeZone, ids]) => ({ timeZone, devices: ids, windows: MaintenancePlans.windows(plan, at, count, timeZone) }));
    return out.sort((a, b) => (a.windows[0]?.start ?? Infinity) - (b.windows[0]?.start ?? Infinity));
  }

  /** The plan's next windows from `at` (the open one first), read in `timeZone` (default the plan's). */
  static windows(plan: PlanRecord, at: number, count: number, timeZone = plan.timeZone): WindowSpan[] {
    const out: WindowSpan[] = [];
    let from = at;
    for (let i = 0; i < count; i++) {
      const w = nextWindow(windowIn(planWindow(plan), timeZone), from);
      if (!w) break;
      out.push(w);
      from = w.end;
    }
    return out;
  }
}
