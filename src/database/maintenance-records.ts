import type { Selectable } from 'kysely';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { MaintenancePlansTable, MaintenanceStepsTable, MaintenanceVisitsTable } from './schema.js';
import { affected, query } from './work.js';

/**
 * The maintenance tables of migration 0007 (docs/maintenance-plans.md):
 * plans, visits, and each attempt at each step. The rows' meaning lives in
 * src/maintenance/; this module only stores and reads them, on both engines.
 */

/** A plan as stored; JSON columns already parsed. */
export interface PlanRecord {
  id: number;
  name: string;
  selection: { devices: string[] } | { customer: string };
  windowCron: string;
  windowMinutes: number;
  timeZone: string;
  holidays: string[];
  steps: string[];
  targetAps: string | null;
  loadAps: boolean;
  backupRetention: number;
  maxRetries: number;
  serviceUser: string;
  createdAt: number;
  createdBy: string;
  /** At most this many LAN visits of the plan at once (the scheduler's bound; modems bound the others). */
  lanConcurrency: number;
  /** How long the function-test step waits for the PBX's report; null or absent: the default (maintenance-plan.ts). */
  functionTestWaitMinutes?: number | null;
}

/** The LAN concurrency of a plan that names none (migration 0010's column default). */
export const DEFAULT_LAN_CONCURRENCY = 8;

export type NewPlanRecord = Omit<PlanRecord, 'id' | 'lanConcurrency'> & { lanConcurrency?: number };

/** A visit's state: running (or interrupted by a crash), done, failed (a step gave up), cut (the window ended; resumes at next_step). */
export type VisitState = 'running' | 'done' | 'failed' | 'cut';
export type StepOutcome = 'ok' | 'failed' | 'busy' | 'not-started';

export interface VisitRecord {
  id: number;
  planId: number;
  deviceId: string;
  windowStart: number;
  state: VisitState;
  nextStep: number;
  channel: string | null;
  startedAt: number;
  endedAt: number | null;
  detail: string;
}

export interface StepRecord {
  id: number;
  visitId: number;
  step: string;
  attempt: number;
  startedAt: number;
  endedAt: number;
  outcome: StepOutcome;
  output: string;
  bytes: number;
}

export interface HistoryQuery {
  deviceId?: string;
  planId?: number;
  limit?: number;
}

export type DeactivationAction = 'deactivate' | 'reactivate' | 'verify';

export interface DeactivationRecord {
  id: number;
  deviceId: string;
  action: DeactivationAction;
  at: number;
  actor: string;
  result: string;
  evidence: Record<string, unknown>;
}

export class MaintenanceRecordsError extends Error {
  override name = 'MaintenanceRecordsError';
}

function planOf(r: Selectable<MaintenancePlansTable>): PlanRecord {
  return {
    id: Number(r.id),
    name: r.name,
    selection: JSON.parse(r.selection) as PlanRecord['selection'],
    windowCron: r.window_cron,
    windowMinutes: Number(r.window_minutes),
    timeZone: r.time_zone,
    holidays: JSON.parse(r.holidays) as string[],
    steps: JSON.parse(r.steps) as string[],
    targetAps: r.target_aps,
    loadAps: r.load_aps === 'yes',
    backupRetention: Number(r.backup_retention),
    maxRetries: Number(r.max_retries),
    serviceUser: r.service_user,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    lanConcurrency: Number(r.lan_concurrency),
    functionTestWaitMinutes: r.function_test_wait_minutes === null ? null : Number(r.function_test_wait_minutes),
  };
}

function visitOf(r: Selectable<MaintenanceVisitsTable>): VisitRecord {
  return {
    id: Number(r.id),
    planId: Number(r.plan_id),
    deviceId: r.device_id,
    windowStart: Number(r.window_start),
    state: r.state as VisitState,
    nextStep: Number(r.next_step),
    channel: r.channel,
    startedAt: Number(r.started_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    detail: r.detail,
  };
}

function stepOf(r: Selectable<MaintenanceStepsTable>): StepRecord {
  return {
    id: Number(r.id),
    visitId: Number(r.visit_id),
    step: r.step,
    attempt: Number(r.attempt),
    startedAt: Number(r.started_at),
    endedAt: Number(r.ended_at),
    outcome: r.outcome as StepOutcome,
    output: r.output,
    bytes: Number(r.bytes),
  };
}

export class MaintenanceRecords {
  constructor(private readonly db: CentreDatabase) {}

  /** Store a checked plan; refuses a name in use. Audited with who added it. */
  async addPlan(plan: NewPlanRecord, by: { actor: string; address?: string }): Promise<PlanRecord> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const taken = yield* query(qb.selectFrom('maintenance_plans').select('id').where('name', '=', plan.name));
      if (taken.rows.length > 0) return undefined;
      const ins = yield* query(qb.insertInto('maintenance_plans').values({
        name: plan.name,
        selection: JSON.stringify(plan.selection),
        window_cron: plan.windowCron,
        window_minutes: plan.windowMinutes,
        time_zone: plan.timeZone,
        holidays: JSON.stringify(plan.holidays),
        steps: JSON.stringify(plan.steps),
        target_aps: plan.targetAps,
        load_aps: plan.loadAps ? 'yes' : 'no',
        backup_retention: plan.backupRetention,
        max_retries: plan.maxRetries,
        service_user: plan.serviceUser,
        created_at: plan.createdAt,
        created_by: plan.createdBy,
        lan_concurrency: plan.lanConcurrency ?? DEFAULT_LAN_CONCURRENCY,
        function_test_wait_minutes: plan.functionTestWaitMinutes ?? null,
      }).returning('id'));
      const id = Number(ins.rows[0].id);
      yield* recordAudit(qb, { at: plan.createdAt, ...by, action: 'maintenance.plan.add', target: plan.name, detail: { selection: plan.selection, window: plan.windowCron, minutes: plan.windowMinutes, timeZone: plan.timeZone, steps: plan.steps, functionTestWaitMinutes: plan.functionTestWaitMinutes ?? null } });
      return id;
    });
    if (id === undefined) throw new MaintenanceRecordsError(`name: a plan named ${plan.name} exists already`);
    return { ...plan, lanConcurrency: plan.lanConcurrency ?? DEFAULT_LAN_CONCURRENCY, id };
  }

  async listPlans(): Promise<PlanRecord[]> {
    const rows = await this.db.kysely.selectFrom('maintenance_plans').selectAll().orderBy('name').execute();
    return rows.map(planOf);
  }

  async plan(name: string): Promise<PlanRecord | undefined> {
    const row = await this.db.kysely.selectFrom('maintenance_plans').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? planOf(row) : undefined;
  }

  /** Remove a plan with its visits and steps; false when there is none of that name. */
  async removePlan(name: string, by: { actor: string; address?: string }, at: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const found = yield* query(qb.selectFrom('maintenance_plans').select('id').where('name', '=', name));
      if (found.rows.length === 0) return false;
      const id = Number(found.rows[0].id);
      // Both engines cascade, but SQLite only with its pragma: delete the children explicitly.
      yield* query(qb.deleteFrom('maintenance_steps').where('visit_id', 'in', qb.selectFrom('maintenance_visits').select('id').where('plan_id', '=', id)));
      yield* query(qb.deleteFrom('maintenance_visits').where('plan_id', '=', id));
      yield* query(qb.deleteFrom('maintenance_windows').where('plan_id', '=', id));
      const gone = affected(yield* query(qb.deleteFrom('maintenance_plans').where('id', '=', id)));
      yield* recordAudit(qb, { at, ...by, action: 'maintenance.plan.remove', target: name });
      return gone > 0;
    });
  }

  /** The ids a selection names today: the list itself, or every PBX registered for the customer. */
  async devicesOf(selection: PlanRecord['selection']): Promise<string[]> {
    if ('devices' in selection) return selection.devices;
    const rows = await this.db.kysely.selectFrom('devices').select('id').where('kind', '=', 'pbx').where('customer_name', '=', selection.customer).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /** Each registered device's own time zone (null: the plan's); an unknown id is left out. */
  async timeZonesOf(ids: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    // In slices: a customer of 100,000 PBXs must not become one statement of 100,000 parameters.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.kysely.selectFrom('devices').select(['id', 'time_zone']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.id, r.time_zone);
    }
    return out;
  }

  /**
   * What the scheduler's plan set depends on, in a few numbers: the plans
   * (count, newest id) and the devices (count, latest change). A plan added
   * or removed, a device added, removed or given another time zone changes
   * it; the scheduler reads everything again only then.
   */
  async scheduleFingerprint(): Promise<string> {
    const qb = this.db.kysely;
    const p = await qb.selectFrom('maintenance_plans').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('top')]).executeTakeFirst();
    const d = await qb.selectFrom('devices').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('top')]).executeTakeFirst();
    return `${Number(p?.n ?? 0)}/${Number(p?.top ?? 0)}/${Number(d?.n ?? 0)}/${Number(d?.top ?? 0)}`;
  }

  async knownDevices(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.kysely.selectFrom('devices').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  /** The device's latest visit under the plan that is not finished (cut, or running when the centre died), if any. */
  async unfinishedVisit(planId: number, deviceId: string): Promise<VisitRecord | undefined> {
    const row = await this.db.kysely.selectFrom('maintenance_visits').selectAll()
      .where('plan_id', '=', planId).where('device_id', '=', deviceId).where('state', 'in', ['running', 'cut'])
      .orderBy('id', 'desc').executeTakeFirst();
    return row ? visitOf(row) : undefined;
  }

  /** Whether the device's visit under the plan finished (done or failed) in the window that started at `windowStart`. */
  async finishedIn(planId: number, deviceId: string, windowStart: number): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('maintenance_visits').select('id')
      .where('plan_id', '=', planId).where('device_id', '=', deviceId).where('window_start', '=', windowStart).where('state', 'in', ['done', 'failed'])
      .executeTakeFirst();
    return row !== undefined;
  }

  async startVisit(v: { planId: number; deviceId: string; windowStart: number; at: number }): Promise<VisitRecord> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const ins = yield* query(qb.insertInto('maintenance_visits').values({ plan_id: v.planId, device_id: v.deviceId, window_start: v.windowStart, state: 'running', next_step: 0, started_at: v.at, detail: '' }).returning('id'));
      return Number(ins.rows[0].id);
    });
    return { id, planId: v.planId, deviceId: v.deviceId, windowStart: v.windowStart, state: 'running', nextStep: 0, channel: null, startedAt: v.at, endedAt: null, detail: '' };
  }

  /** A cut or interrupted visit taken up again in a later window. */
  async resumeVisit(visitId: number, windowStart: number): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.updateTable('maintenance_visits').set({ state: 'running', window_start: windowStart, ended_at: null }).where('id', '=', visitId));
    });
  }

  /**
   * One attempt at one step, and where the visit stands after it, in one
   * transaction: a crash leaves either both or neither, so a resumed visit
   * never repeats a step that was recorded as done.
   */
  async recordStep(step: Omit<StepRecord, 'id'>, visit: { nextStep: number; channel?: string | null }): Promise<StepRecord> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const ins = yield* query(qb.insertInto('maintenance_steps').values({ visit_id: step.visitId, step: step.step, attempt: step.attempt, started_at: step.startedAt, ended_at: step.endedAt, outcome: step.outcome, output: step.output, bytes: step.bytes }).returning('id'));
      yield* query(qb.updateTable('maintenance_visits').set({ next_step: visit.nextStep, ...(visit.channel !== undefined ? { channel: visit.channel } : {}) }).where('id', '=', step.visitId));
      return Number(ins.rows[0].id);
    });
    return { ...step, id };
  }

  async endVisit(visitId: number, state: Exclude<VisitState, 'running'>, at: number, detail: string): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.updateTable('maintenance_visits').set({ state, ended_at: at, detail }).where('id', '=', visitId));
    });
  }

  /** A deactivation, re-activation or verification with its evidence, audited in the same transaction. */
  async recordDeactivation(entry: Omit<DeactivationRecord, 'id'>): Promise<DeactivationRecord> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const ins = yield* query(qb.insertInto('lan_deactivations').values({ device_id: entry.deviceId, action: entry.action, at: entry.at, actor: entry.actor, result: entry.result, evidence: JSON.stringify(entry.evidence) }).returning('id'));
      yield* recordAudit(qb, { at: entry.at, actor: entry.actor, action: `maintenance.${entry.action}`, target: entry.deviceId, detail: { result: entry.result } });
      return Number(ins.rows[0].id);
    });
    return { ...entry, id };
  }

  /** The device's deactivation records, oldest first. */
  async deactivations(deviceId: string): Promise<DeactivationRecord[]> {
    const rows = await this.db.kysely.selectFrom('lan_deactivations').selectAll().where('device_id', '=', deviceId).orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), deviceId: r.device_id, action: r.action as DeactivationAction, at: Number(r.at), actor: r.actor, result: r.result, evidence: JSON.parse(r.evidence) as Record<string, unknown> }));
  }

  /** Visits, newest first, each with its steps in the order they ran. */
  async history(q: HistoryQuery = {}): Promise<Array<VisitRecord & { steps: StepRecord[] }>> {
    let sel = this.db.kysely.selectFrom('maintenance_visits').selectAll();
    if (q.deviceId !== undefined) sel = sel.where('device_id', '=', q.deviceId);
    if (q.planId !== undefined) sel = sel.where('plan_id', '=', q.planId);
    const visits = (await sel.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 100).execute()).map(visitOf);
    if (visits.length === 0) return [];
    const steps = (await this.db.kysely.selectFrom('maintenance_steps').selectAll().where('visit_id', 'in', visits.map((v) => v.id)).orderBy('id').execute()).map(stepOf);
    return visits.map((v) => ({ ...v, steps: steps.filter((s) => s.visitId === v.id) }));
  }

  /**
   * Every visit of one window of a plan with its steps (a night's results:
   * the scenario's figures, the portal's "last night"); a visit resumed in
   * a later window belongs to that one.
   */
  async windowVisits(planId: number, windowStart: number): Promise<Array<VisitRecord & { steps: StepRecord[] }>> {
    const qb = this.db.kysely;
    const inWindow = qb.selectFrom('maintenance_visits').select('id').where('plan_id', '=', planId).where('window_start', '=', windowStart);
    const visits = (await qb.selectFrom('maintenance_visits').selectAll().where('plan_id', '=', planId).where('window_start', '=', windowStart).orderBy('device_id').execute()).map(visitOf);
    const steps = (await qb.selectFrom('maintenance_steps').selectAll().where('visit_id', 'in', inWindow).orderBy('id').execute()).map(stepOf);
    const byVisit = new Map<number, StepRecord[]>(visits.map((v) => [v.id, []]));
    for (const st of steps) byVisit.get(st.visitId)?.push(st);
    return visits.map((v) => ({ ...v, steps: byVisit.get(v.id) ?? [] }));
  }

  /** The start of the plan's latest window that has visits, if any. */
  async lastWindowStart(planId: number): Promise<number | undefined> {
    const row = await this.db.kysely.selectFrom('maintenance_visits').select((eb) => eb.fn.max('window_start').as('last')).where('plan_id', '=', planId).executeTakeFirst();
    return row?.last === null || row?.last === undefined ? undefined : Number(row.last);
  }
}
