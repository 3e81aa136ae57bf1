import { sql, type Kysely } from 'kysely';
import { MaintenanceRecords, type PlanRecord, type StepRecord, type VisitRecord } from '../database/maintenance-records.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { Database } from '../database/schema.js';
import { MaintenancePlans } from '../maintenance/maintenance-plans.js';
import type { AccessScope } from './access-scope.js';
import { utc } from './history-views.js';

/**
 * What the portal's maintenance pages show (spec §5.4, issue 13): the plans,
 * the last night's results per device and step with failures first, and a
 * device's visit history — every device through the one access filter
 * with the right "see maintenance results", so a partner sees the plans
 * that visit their devices and only their devices' results.
 */

export const RIGHT = 'see-maintenance' as const;
/** Rows of a plan's night on one page (a plan may visit 10,000 PBXs). */
export const NIGHT_PAGE_ROWS = 200;
/** A step's stored output as a page shows it; the record keeps all of it. */
const OUTPUT_CHARS = 4000;

/** Visit and step states as words and as the badge class the fleet uses (state shown in text as well as colour). */
export const VISIT_BADGE: Readonly<Record<string, { label: string; css: string }>> = {
  failed: { label: 'failed', css: 'alarm' },
  cut: { label: 'cut by the window end', css: 'late' },
  running: { label: 'running', css: 'unknown' },
  done: { label: 'done', css: 'ok' },
};
export const STEP_BADGE: Readonly<Record<string, { label: string; css: string }>> = {
  ok: { label: 'ok', css: 'ok' },
  failed: { label: 'failed', css: 'alarm' },
  busy: { label: 'busy (in use)', css: 'late' },
  'not-started': { label: 'not started', css: 'unknown' },
};

/** Failures first, then the cut visits, the running ones, the done ones. */
const STATE_ORDER = sql<number>`case state when 'failed' then 0 when 'cut' then 1 when 'running' then 2 else 3 end`;

export interface PlanRow {
  name: string;
  selection: string;
  window: string;
  steps: string;
  next: string;
  /** Devices of the plan this person may see results of. */
  devices: number;
  lastNight?: { start: string; counts: Record<string, number> };
}

export interface StepCell {
  step: string;
  label: string;
  css: string;
  attempts: number;
}

export interface NightRow {
  deviceId: string;
  state: { label: string; css: string };
  channel: string;
  detail: string;
  started: string;
  ended: string;
  steps: StepCell[];
}

export class MaintenanceViews {
  readonly #qb: Kysely<Database>;
  readonly #records: MaintenanceRecords;

  constructor(db: CentreDatabase) {
    this.#qb = db.kysely;
    this.#records = new MaintenanceRecords(db);
  }

  /** How many of the plan's devices the scope may see the results of (the plan's selection as the runner resolves it). */
  async visibleDevices(scope: AccessScope, plan: PlanRecord): Promise<number> {
    const qb = this.#qb;
    let q = qb.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')).where(scope.devicesWhere(qb, 'devices.id', RIGHT));
    q = 'devices' in plan.selection ? (plan.selection.devices.length ? q.where('id', 'in', plan.selection.devices) : q.where(sql<boolean>`1 = 0`)) : q.where('kind', '=', 'pbx').where('customer_name', '=', plan.selection.customer);
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }

  /** The latest window in which the plan visited a device the scope may see. */
  async lastWindow(scope: AccessScope, planId: number): Promise<number | undefined> {
    const qb = this.#qb;
    const row = await qb.selectFrom('maintenance_visits').select((eb) => eb.fn.max('window_start').as('last')).where('plan_id', '=', planId).where(scope.devicesWhere(qb, 'maintenance_visits.device_id', RIGHT)).executeTakeFirst();
    return row?.last === null || row?.last === undefined ? undefined : Number(row.last);
  }

  /** Visits per state in one window, of the devices the scope may see. */
  async nightCounts(scope: AccessScope, planId: number, windowStart: number): Promise<Record<string, number>> {
    const qb = this.#qb;
    const rows = await qb.selectFrom('maintenance_visits').select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('plan_id', '=', planId).where('window_start', '=', windowStart).where(scope.devicesWhere(qb, 'maintenance_visits.device_id', RIGHT)).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Every plan that visits a device the scope may see, with its last night in counts. */
  async plans(scope: AccessScope, now: number): Promise<PlanRow[]> {
    const out: PlanRow[] = [];
    for (const p of await this.#records.listPlans()) {
      const devices = await this.visibleDevices(scope, p);
      const last = await this.lastWindow(scope, p.id);
      if (!scope.controlRoom && devices === 0 && last === undefined) continue;
      // Per time zone its devices are in (each device's own, else the plan's): Berlin and Lisbon open an hour apart.
      const zones = (await new MaintenancePlans(this.#records).zoneWindows(p, now, 1)).filter((z) => z.windows.length > 0);
      out.push({
        ...describePlan(p),
        next: zones.length === 0 ? 'none left' : zones.map((z) => `${utc(z.windows[0].start)} – ${utc(z.windows[0].end)}${zones.length > 1 ? ` (${z.timeZone})` : ''}`).join('; '),
        devices,
        ...(last !== undefined ? { lastNight: { start: utc(last), counts: await this.nightCounts(scope, p.id, last) } } : {}),
      });
    }
    return out;
  }

  /** A plan's night as a table page: one row per visit, failures first, each step's last outcome and its attempts. */
  async night(scope: AccessScope, planId: number, windowStart: number, page: number): Promise<{ rows: NightRow[]; matching: number }> {
    const qb = this.#qb;
    const base = qb.selectFrom('maintenance_visits').where('plan_id', '=', planId).where('window_start', '=', windowStart).where(scope.devicesWhere(qb, 'maintenance_visits.device_id', RIGHT));
    const matching = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const visits = await base.selectAll().orderBy(STATE_ORDER).orderBy('device_id').limit(NIGHT_PAGE_ROWS).offset((page - 1) * NIGHT_PAGE_ROWS).execute();
    const ids = visits.map((v) => Number(v.id));
    const steps = ids.length ? await qb.selectFrom('maintenance_steps').select(['visit_id', 'step', 'outcome', 'attempt']).where('visit_id', 'in', ids).orderBy('id').execute() : [];
    const byVisit = new Map<number, Map<string, StepCell>>();
    for (const s of steps) {
      const cells = byVisit.get(Number(s.visit_id)) ?? new Map<string, StepCell>();
      byVisit.set(Number(s.visit_id), cells);
      const badge = STEP_BADGE[s.outcome] ?? { label: s.outcome, css: 'unknown' };
      const prev = cells.get(s.step);
      // The last attempt says how the step stands; a busy connect before a good one does not count as an attempt.
      cells.set(s.step, { step: s.step, ...badge, attempts: (prev?.attempts ?? 0) + (s.outcome === 'busy' ? 0 : 1) });
    }
    const rows = visits.map((v): NightRow => ({
      deviceId: v.device_id,
      state: VISIT_BADGE[v.state] ?? { label: v.state, css: 'unknown' },
      channel: v.channel ?? '',
      detail: v.detail,
      started: utc(Number(v.started_at)),
      ended: utc(v.ended_at === null ? null : Number(v.ended_at)),
      steps: [...(byVisit.get(Number(v.id))?.values() ?? [])],
    }));
    return { rows, matching };
  }

  /** A device's visits, newest first, every attempt of every step with its output. */
  async deviceHistory(deviceId: string, plans: Map<number, string>): Promise<Array<{ plan: string; window: string; state: { label: string; css: string }; channel: string; started: string; ended: string; detail: string; steps: Array<ReturnType<typeof stepView>> }>> {
    const visits = await this.#records.history({ deviceId, limit: 50 });
    return visits.map((v: VisitRecord & { steps: StepRecord[] }) => ({
      plan: plans.get(v.planId) ?? String(v.planId),
      window: utc(v.windowStart),
      state: VISIT_BADGE[v.state] ?? { label: v.state, css: 'unknown' },
      channel: v.channel ?? '',
      started: utc(v.startedAt),
      ended: utc(v.endedAt),
      detail: v.detail,
      steps: v.steps.map(stepView),
    }));
  }

  async plan(name: string): Promise<PlanRecord | undefined> {
    return this.#records.plan(name);
  }

  async planNames(): Promise<Map<number, string>> {
    return new Map((await this.#records.listPlans()).map((p) => [p.id, p.name]));
  }
}

function stepView(s: StepRecord) {
  const badge = STEP_BADGE[s.outcome] ?? { label: s.outcome, css: 'unknown' };
  return { step: s.step, attempt: s.attempt, started: utc(s.startedAt), seconds: ((s.endedAt - s.startedAt) / 1000).toFixed(0), ...badge, bytes: s.bytes, output: s.output.length > OUTPUT_CHARS ? `${s.output.slice(0, OUTPUT_CHARS)}…` : s.output };
}

/** A plan in words for its list and its page. */
export function describePlan(p: PlanRecord): { name: string; selection: string; window: string; steps: string } {
  return {
    name: p.name,
    selection: 'devices' in p.selection ? `${p.selection.devices.length} listed device${p.selection.devices.length === 1 ? '' : 's'}` : `every PBX of ${p.selection.customer}`,
    window: `cron "${p.windowCron}", ${p.windowMinutes} min, ${p.timeZone}${p.holidays.length ? `, not on ${p.holidays.join(', ')}` : ''}`,
    steps: ['connect', ...p.steps, 'disconnect'].join(' → '),
  };
}
