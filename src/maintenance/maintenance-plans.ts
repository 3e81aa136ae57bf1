import { MaintenanceRecordsError, type MaintenanceRecords, type PlanRecord } from '../database/maintenance-records.js';
import { checkPlan, nextWindow, PlanError, planWindow, type PlanSpec, type WindowSpan } from './maintenance-plan.js';

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
        createdAt: at,
        createdBy: by.actor,
      }, by);
    } catch (err) {
      if (err instanceof MaintenanceRecordsError) throw new PlanError('name', `a plan named ${plan.name} exists already`);
      throw err;
    }
  }

  /** The plan's next windows from `at` (the open one first). */
  static windows(plan: PlanRecord, at: number, count: number): WindowSpan[] {
    const out: WindowSpan[] = [];
    let from = at;
    for (let i = 0; i < count; i++) {
      const w = nextWindow(planWindow(plan), from);
      if (!w) break;
      out.push(w);
      from = w.end;
    }
    return out;
  }
}
