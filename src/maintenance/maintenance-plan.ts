import { Cron } from 'croner';
import type { PlanRecord } from '../database/maintenance-records.js';
import { canonicalTimeZone } from '../database/time-zone.js';
import { functionTestBudgetMs, MAX_FUNCTION_TEST_WAIT_MINUTES } from './function-test-wait.js';

/**
 * A maintenance plan (spec §5.4, issue 13, docs/maintenance-plans.md): which
 * devices, a recurring window in a time zone with public holidays as dates,
 * and the steps a visit does in order. Windows come from a cron expression
 * (croner), never from hand-written date arithmetic.
 */

/** The steps a visit can do, in the order a plan usually lists them; `connect` and `disconnect` frame every visit. */
export const MAINTENANCE_STEPS = ['errors', 'kds-backup', 'archive', 'aps', 'function-test'] as const;
export type MaintenanceStep = (typeof MAINTENANCE_STEPS)[number];

/** Which devices a plan visits: a list, or every PBX of one customer (as registered at the centre). */
export type DeviceSelection = { devices: string[] } | { customer: string };

export interface PlanWindow {
  /** Cron expression of the window's start (5 or 6 fields), read in `timeZone`. */
  cron: string;
  /** Length of each window. */
  minutes: number;
  /** IANA time zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** `YYYY-MM-DD` dates (in `timeZone`) on which no window starts. */
  holidays: string[];
}

export interface PlanSpec {
  name: string;
  selection: DeviceSelection;
  window: PlanWindow;
  steps: MaintenanceStep[];
  /** The APS version the `aps` step checks for. */
  targetAps?: string;
  /** Load the target APS when the PBX runs another (else only report the difference). */
  loadAps: boolean;
  /** How many KDS backups per device the centre keeps. */
  backupRetention: number;
  /** Retries of a failed step inside the window. */
  maxRetries: number;
  /** The PBX user the visits log in as (who = this in the PBX's protocol log). */
  serviceUser: string;
  /** At most this many LAN visits at once (default DEFAULT_LAN_CONCURRENCY). */
  lanConcurrency?: number;
  /** How long the function-test step waits for the PBX's report, in minutes; absent: the default (function-test-wait.ts). */
  functionTestWaitMinutes?: number;
}

export interface MaintenancePlan extends PlanSpec {
  id: number;
  createdAt: number;
  createdBy: string;
}

/** A plan refused, with the field that is wrong named first. */
export class PlanError extends Error {
  override name = 'PlanError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A window longer than a day would overlap the next day's. */
export const MAX_WINDOW_MINUTES = 24 * 60;
export const MAX_RETRIES = 10;
export const MAX_BACKUP_RETENTION = 100;
export const MAX_LAN_CONCURRENCY = 1000;


function cronOf(window: Pick<PlanWindow, 'cron' | 'timeZone'>): Cron {
  // paused and without a function: only read for its dates, never scheduled.
  return new Cron(window.cron, { timezone: window.timeZone, paused: true });
}

/** The calendar date of `at` in `timeZone`, as YYYY-MM-DD. */
export function localDate(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}

/**
 * Check a plan and return it in stored form (ids and dates sorted and
 * unique), or throw PlanError naming the field. `now` refuses a plan whose
 * windows all lie in the past; `knownDevice` an unknown device id.
 */
export function checkPlan(spec: PlanSpec, now: number, knownDevice: (id: string) => boolean): PlanSpec {
  if (!NAME_PATTERN.test(spec.name)) throw new PlanError('name', `${JSON.stringify(spec.name)} is not 1–64 characters of A–Z a–z 0–9 . _ -`);
  let selection: DeviceSelection;
  if ('devices' in spec.selection) {
    const ids = [...new Set(spec.selection.devices.map((d) => d.trim()).filter((d) => d !== ''))].sort();
    if (ids.length === 0) throw new PlanError('devices', 'name at least one device, or a customer');
    const unknown = ids.filter((id) => !knownDevice(id));
    if (unknown.length > 0) throw new PlanError('devices', `unknown device${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see centre device list)`);
    selection = { devices: ids };
  } else {
    const customer = spec.selection.customer.trim();
    if (customer === '') throw new PlanError('customer', 'empty');
    selection = { customer };
  }
  const w = spec.window;
  if (!Number.isInteger(w.minutes) || w.minutes < 1) throw new PlanError('window', `an empty window (${w.minutes} minutes): give it at least one minute`);
  if (w.minutes > MAX_WINDOW_MINUTES) throw new PlanError('window', `${w.minutes} minutes is longer than a day`);
  const timeZone = canonicalTimeZone(w.timeZone);
  if (timeZone === undefined) throw new PlanError('time-zone', `${JSON.stringify(w.timeZone)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
  let cron: Cron;
  try {
    cron = cronOf({ cron: w.cron, timeZone });
  } catch (err) {
    throw new PlanError('cron', `${JSON.stringify(w.cron)} does not parse: ${(err as Error).message}`);
  }
  const holidays = [...new Set(w.holidays)].sort();
  for (const d of holidays) {
    const m = DATE_PATTERN.exec(d);
    if (!m || localDate(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12), 'UTC') !== d) throw new PlanError('holidays', `${JSON.stringify(d)} is not a date YYYY-MM-DD`);
  }
  const window: PlanWindow = { cron: w.cron.trim(), minutes: w.minutes, timeZone, holidays };
  if (cron.nextRun(new Date(now)) === null || nextWindow(window, now) === undefined) throw new PlanError('window', `${JSON.stringify(w.cron)} has no window after ${new Date(now).toISOString()}: it lies in the past`);
  const steps = spec.steps;
  if (steps.length === 0) throw new PlanError('steps', `name at least one of ${MAINTENANCE_STEPS.join(', ')}`);
  for (const s of steps) if (!MAINTENANCE_STEPS.includes(s)) throw new PlanError('steps', `"${s}" is not one of ${MAINTENANCE_STEPS.join(', ')}`);
  if (new Set(steps).size !== steps.length) throw new PlanError('steps', 'a step is listed twice');
  if (spec.loadAps && !spec.targetAps) throw new PlanError('target-aps', 'loading an APS needs the target version');
  if (spec.targetAps !== undefined && !/^[A-Za-z0-9._-]{1,32}$/.test(spec.targetAps)) throw new PlanError('target-aps', `${JSON.stringify(spec.targetAps)} is not an APS version`);
  if (!Number.isInteger(spec.backupRetention) || spec.backupRetention < 1 || spec.backupRetention > MAX_BACKUP_RETENTION) throw new PlanError('retention', `expected 1–${MAX_BACKUP_RETENTION} backups`);
  if (!Number.isInteger(spec.maxRetries) || spec.maxRetries < 0 || spec.maxRetries > MAX_RETRIES) throw new PlanError('retries', `expected 0–${MAX_RETRIES}`);
  if (spec.lanConcurrency !== undefined && (!Number.isInteger(spec.lanConcurrency) || spec.lanConcurrency < 1 || spec.lanConcurrency > MAX_LAN_CONCURRENCY)) throw new PlanError('lan-concurrency', `expected 1–${MAX_LAN_CONCURRENCY} LAN visits at once`);
  if (!/^[A-Za-z0-9._-]{1,16}$/.test(spec.serviceUser)) throw new PlanError('service-user', `${JSON.stringify(spec.serviceUser)} is not a PBX user name`);
  const wait = spec.functionTestWaitMinutes;
  if (wait !== undefined && (!Number.isInteger(wait) || wait < 1 || wait > MAX_FUNCTION_TEST_WAIT_MINUTES)) throw new PlanError('function-test-wait', `${wait} is not 1–${MAX_FUNCTION_TEST_WAIT_MINUTES} minutes`);
  const budget = functionTestBudgetMs(spec);
  if (steps.includes('function-test') && budget > w.minutes * 60_000) {
    throw new PlanError('function-test-wait', `${budget / 60_000} min (the wait${wait === undefined ? ', by default,' : ''} and 1 min for the test) does not fit in the ${w.minutes}-min window: the step could never start; give a shorter --function-test-wait or a longer window`);
  }
  return { ...spec, selection, window, steps: [...steps] };
}

export interface WindowSpan {
  start: number;
  end: number;
}

/** How many cron dates are looked at before a plan is said to have no more windows (holidays every day of a year and more). */
const WINDOW_SEARCH_LIMIT = 1000;

/**
 * The window that is open at `at`, or else the next one to open; undefined
 * when the cron expression has no date left. Windows starting on a holiday
 * (its date in the plan's time zone) are skipped.
 */
export function nextWindow(window: PlanWindow, at: number): WindowSpan | undefined {
  const cron = cronOf(window);
  const length = window.minutes * 60_000;
  const holidays = new Set(window.holidays);
  // A window opened up to `length` ago (an hour more across a change of daylight saving time) may still be open: start looking from there.
  let from = new Date(at - length - MAX_DST_SHIFT_MS - 1);
  for (let i = 0; i < WINDOW_SEARCH_LIMIT; i++) {
    const start = cron.nextRun(from);
    if (!start) return undefined;
    const s = start.getTime();
    const end = windowEnd(s, length, window.timeZone);
    if (end > at && !holidays.has(localDate(s, window.timeZone))) return { start: s, end };
    from = start;
  }
  return undefined;
}

/** The largest change of a zone's UTC offset at a daylight-saving switch (an hour; Lord Howe's is half of that). */
const MAX_DST_SHIFT_MS = 3600_000;

/**
 * A window's end by the clock on the wall: `20:00–06:00` ends at 06:00 in
 * its zone also on the night the clocks change — 11 hours when they go back,
 * 9 when they go forward — so the window's length is read as wall-clock
 * minutes, corrected by the zone's change of offset during it.
 */
function windowEnd(start: number, length: number, timeZone: string): number {
  return start + length + utcOffsetMs(start, timeZone) - utcOffsetMs(start + length, timeZone);
}

/** The zone's offset from UTC at `at` (Europe/Berlin: +1 h in winter, +2 h in summer), from the platform's time-zone data. */
export function utcOffsetMs(at: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
}

/** The window of a stored plan. */
export function planWindow(plan: Pick<PlanRecord, 'windowCron' | 'windowMinutes' | 'timeZone' | 'holidays'>): PlanWindow {
  return { cron: plan.windowCron, minutes: plan.windowMinutes, timeZone: plan.timeZone, holidays: plan.holidays };
}

/** The plan's window read in another time zone (a device's own): same cron, length and holiday dates. */
export function windowIn(window: PlanWindow, timeZone: string): PlanWindow {
  return { ...window, timeZone };
}

/**
 * The plan's devices by the time zone their windows are read in — each
 * device's own (`centre device … --tz`), else the plan's (issue 13: "20:00–06:00
 * in the device's time zone"). Zones in name order, devices in id order.
 */
export function zoneGroups(planTimeZone: string, devices: readonly string[], zones: ReadonlyMap<string, string | null>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const id of [...devices].sort()) {
    const zone = zones.get(id) ?? planTimeZone;
    const group = groups.get(zone);
    if (group) group.push(id);
    else groups.set(zone, [id]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
