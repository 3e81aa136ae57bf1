import { clockWindowCron, parseClockWindow } from '../maintenance/clock-window.js';
import { checkPlan, MAINTENANCE_STEPS, PlanError, type MaintenanceStep, type PlanSpec } from '../maintenance/maintenance-plan.js';
import type { LineCut } from '../network/exchange.js';
import { count, known, list, obj, onlyOne, parseDuration, ScenarioError, text, type Raw } from './scenario-fields.js';

/**
 * A maintenance scenario (docs/scenarios.md, "Maintenance scenarios"): a
 * plan over a simulated fleet, run night after night by the maintenance
 * runner in virtual time, with faults on given nights and expectations on
 * each night's completion figures. Checked field by field like every
 * scenario file, so a bad file names the field.
 */
export interface MaintenanceScenario {
  name: string;
  /** Where the virtual clock starts (the plan's first window is the next one after it). */
  start: number;
  /** How many of the plan's windows to run. */
  nights: number;
  fleet: { pbxs: number; lanShare: number };
  centre: { modems: number; lanConcurrency: number };
  plan: PlanSpec;
  faults: MaintenanceFault[];
  expect: NightExpectation[];
}

/** Which PBXs a fault hits: a count (spread evenly over the PBXs it can hit) or ids. */
export type PbxPick = { count: number } | { ids: string[] };

export type MaintenanceFault =
  /** Calls to the PBXs' lines break after N bytes or T after they connect: once (the next call) or every call of the night. */
  | { night: number; lineFault: { pbxs: PbxPick; cut: LineCut; every: boolean } }
  /** Calls to the PBXs' lines find no modem (unreachable) all night. */
  | { night: number; unreachable: { pbxs: PbxPick } }
  /** `count` of the centre's modems are busy receiving all night: the runner has the others only. */
  | { night: number; busyModems: number }
  /** People on the PBXs from the window's start for `forMs`: an admin logged in on the V.24 port, or a technician dialled in. */
  | { night: number; inUse: { pbxs: PbxPick; as: 'admin' | 'technician'; forMs: number } }
  /** The provider network's link to the PBXs' customer LANs is down all night. */
  | { night: number; lanDown: { pbxs: PbxPick } };

/** The completion figures of one night (or the whole run), as the scenario asserts them. */
export const NIGHT_FIGURES = ['devices', 'done', 'failed', 'cut', 'notVisited', 'busySkips', 'busyThenVisited', 'resumed', 'retried', 'lan', 'modem'] as const;
export type NightFigure = (typeof NIGHT_FIGURES)[number];

export type Bound = { equals: number } | { atLeast?: number; atMost?: number };

export type NightExpectation = { name: string; night: number | 'all' } & (
  | { figure: NightFigure; bound: Bound }
  /** Visits that failed with a reason containing `reason`. */
  | { failures: { reason: string }; bound: Bound }
);

/** A scenario fleet: enough for the week of issue 13 and the 10,000-PBX night, not so many that a typo eats the machine. */
export const MAX_SCENARIO_PBXS = 20_000;
export const MAX_SCENARIO_NIGHTS = 62;
const PICK_KINDS = ['lineFault', 'unreachable', 'busyModems', 'inUse', 'lanDown'] as const;

function share(where: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ScenarioError(`${where}: expected a share from 0 to 1`);
  return v;
}

function within(where: string, v: unknown, min: number, max: number): number {
  const n = count(where, v);
  if (n < min || n > max) throw new ScenarioError(`${where}: ${n} is outside ${min}–${max}`);
  return n;
}

/** The id of the fleet's PBX number i (from 1): MNT-00001 … */
export function fleetPbxId(i: number): string {
  return `MNT-${String(i).padStart(5, '0')}`;
}

function pick(where: string, v: unknown, pbxs: number): PbxPick {
  if (typeof v === 'number') return { count: within(where, v, 1, pbxs) };
  const ids = list(where, v).map((x, i) => {
    const id = text(`${where}[${i}]`, x);
    const n = /^MNT-(\d{5})$/.exec(id);
    if (!n || Number(n[1]) < 1 || Number(n[1]) > pbxs) throw new ScenarioError(`${where}[${i}]: ${id} is not a PBX of the fleet (${fleetPbxId(1)} … ${fleetPbxId(pbxs)})`);
    return id;
  });
  if (ids.length === 0) throw new ScenarioError(`${where}: a number of PBXs, or a list of ids`);
  return { ids };
}

function bound(where: string, v: unknown): Bound {
  if (typeof v === 'number') return { equals: count(where, v) };
  const o = obj(where, v);
  known(where, o, ['atLeast', 'atMost']);
  if (o.atLeast === undefined && o.atMost === undefined) throw new ScenarioError(`${where}: a number, or atLeast and/or atMost`);
  const b = { ...(o.atLeast !== undefined ? { atLeast: count(`${where}.atLeast`, o.atLeast) } : {}), ...(o.atMost !== undefined ? { atMost: count(`${where}.atMost`, o.atMost) } : {}) };
  if (b.atLeast !== undefined && b.atMost !== undefined && b.atLeast > b.atMost) throw new ScenarioError(`${where}: atLeast ${b.atLeast} is above atMost ${b.atMost}`);
  return b;
}

function wholeMinutes(where: string, v: unknown): number {
  const ms = parseDuration(where, v);
  if (ms % 60_000 !== 0) throw new ScenarioError(`${where}: ${JSON.stringify(v)} is not a whole number of minutes`);
  return ms / 60_000;
}

function startOf(v: unknown): number {
  const t = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new ScenarioError(`maintenance.start: ${JSON.stringify(v)} is not a UTC time such as 2026-12-07T12:00:00Z`);
  return t;
}

function planOf(p: Raw, start: number): PlanSpec {
  known('maintenance.plan', p, ['window', 'days', 'cron', 'minutes', 'timeZone', 'holidays', 'steps', 'retries', 'serviceUser', 'targetAps', 'loadAps', 'retention', 'functionTestWait']);
  let cron: string;
  let minutes: number;
  if (p.window !== undefined) {
    if (p.cron !== undefined || p.minutes !== undefined) throw new ScenarioError('maintenance.plan: window (with days) or cron with minutes, not both');
    const w = parseClockWindow(text('maintenance.plan.window', p.window));
    if (!w) throw new ScenarioError(`maintenance.plan.window: ${JSON.stringify(p.window)} is not HH:MM-HH:MM, e.g. 20:00-06:00`);
    cron = clockWindowCron(w, p.days === undefined ? '*' : text('maintenance.plan.days', p.days));
    minutes = w.minutes;
  } else {
    if (p.days !== undefined) throw new ScenarioError('maintenance.plan.days: only with window');
    cron = text('maintenance.plan.cron', p.cron);
    minutes = count('maintenance.plan.minutes', p.minutes);
  }
  const steps = p.steps === undefined ? MAINTENANCE_STEPS.filter((s) => s !== 'aps') : list('maintenance.plan.steps', p.steps).map((s, i) => text(`maintenance.plan.steps[${i}]`, s) as MaintenanceStep);
  const spec: PlanSpec = {
    name: 'scenario',
    // Checked against the fleet when it is built; here only the plan's own rules.
    selection: { customer: 'scenario' },
    window: { cron, minutes, timeZone: p.timeZone === undefined ? 'UTC' : text('maintenance.plan.timeZone', p.timeZone), holidays: list('maintenance.plan.holidays', p.holidays).map((d, i) => text(`maintenance.plan.holidays[${i}]`, d)) },
    steps,
    ...(p.targetAps !== undefined ? { targetAps: text('maintenance.plan.targetAps', p.targetAps) } : {}),
    loadAps: p.loadAps === true,
    backupRetention: p.retention === undefined ? 7 : count('maintenance.plan.retention', p.retention),
    maxRetries: p.retries === undefined ? 2 : count('maintenance.plan.retries', p.retries),
    serviceUser: p.serviceUser === undefined ? 'service' : text('maintenance.plan.serviceUser', p.serviceUser),
    ...(p.functionTestWait !== undefined ? { functionTestWaitMinutes: wholeMinutes('maintenance.plan.functionTestWait', p.functionTestWait) } : {}),
  };
  try {
    return checkPlan(spec, start, () => true);
  } catch (err) {
    if (err instanceof PlanError) throw new ScenarioError(`maintenance.plan.${err.message}`);
    throw err;
  }
}

function faultOf(where: string, f: unknown, pbxs: number, nights: number): MaintenanceFault {
  const o = obj(where, f);
  known(where, o, ['night', ...PICK_KINDS]);
  const night = within(`${where}.night`, o.night, 1, nights);
  const kind = onlyOne(where, o, PICK_KINDS);
  const w = `${where}.${kind}`;
  if (kind === 'busyModems') return { night, busyModems: count(w, o.busyModems) };
  const c = obj(w, o[kind]);
  if (kind === 'lineFault') {
    known(w, c, ['pbxs', 'afterBytes', 'afterTime', 'every']);
    if (c.every !== undefined && typeof c.every !== 'boolean') throw new ScenarioError(`${w}.every: true (every call of the night) or false (the next call only)`);
    if ((c.afterBytes === undefined) === (c.afterTime === undefined)) throw new ScenarioError(`${w}: afterBytes or afterTime`);
    const cut: LineCut = c.afterBytes !== undefined ? { afterBytes: count(`${w}.afterBytes`, c.afterBytes) } : { afterMs: parseDuration(`${w}.afterTime`, c.afterTime) };
    return { night, lineFault: { pbxs: pick(`${w}.pbxs`, c.pbxs, pbxs), cut, every: c.every === true } };
  }
  if (kind === 'inUse') {
    known(w, c, ['pbxs', 'as', 'for']);
    const as = c.as === undefined ? 'technician' : text(`${w}.as`, c.as);
    if (as !== 'admin' && as !== 'technician') throw new ScenarioError(`${w}.as: admin (logged in on the V.24 port) or technician (dialled in)`);
    return { night, inUse: { pbxs: pick(`${w}.pbxs`, c.pbxs, pbxs), as, forMs: parseDuration(`${w}.for`, c.for) } };
  }
  known(w, c, ['pbxs']);
  const pbxPick = pick(`${w}.pbxs`, c.pbxs, pbxs);
  return kind === 'unreachable' ? { night, unreachable: { pbxs: pbxPick } } : { night, lanDown: { pbxs: pbxPick } };
}

function expectationOf(where: string, e: unknown, nights: number): NightExpectation {
  const o = obj(where, e);
  const kinds = [...NIGHT_FIGURES, 'failures'] as const;
  known(where, o, ['night', 'name', ...kinds]);
  const night = o.night === 'all' ? 'all' : within(`${where}.night`, o.night, 1, nights);
  const kind = onlyOne(where, o, kinds);
  if (kind === 'failures') {
    const f = obj(`${where}.failures`, o.failures);
    known(`${where}.failures`, f, ['reason', 'count']);
    const reason = text(`${where}.failures.reason`, f.reason);
    const b = bound(`${where}.failures.count`, f.count);
    return { name: typeof o.name === 'string' ? o.name : `night ${night}: failures "${reason}"`, night, failures: { reason }, bound: b };
  }
  const b = bound(`${where}.${kind}`, o[kind]);
  return { name: typeof o.name === 'string' ? o.name : `night ${night}: ${kind}`, night, figure: kind as NightFigure, bound: b };
}

/** Check a document whose top level has `maintenance:`. */
export function validateMaintenanceScenario(doc: unknown): MaintenanceScenario {
  const root = obj('scenario', doc);
  known('scenario', root, ['name', 'maintenance', 'expect']);
  const name = text('name', root.name);
  const m = obj('maintenance', root.maintenance);
  known('maintenance', m, ['start', 'nights', 'fleet', 'centre', 'plan', 'faults']);
  const start = startOf(m.start);
  const nights = within('maintenance.nights', m.nights, 1, MAX_SCENARIO_NIGHTS);
  const fleet = obj('maintenance.fleet', m.fleet);
  known('maintenance.fleet', fleet, ['pbxs', 'lan']);
  const pbxs = within('maintenance.fleet.pbxs', fleet.pbxs, 1, MAX_SCENARIO_PBXS);
  const lanShare = fleet.lan === undefined ? 0 : share('maintenance.fleet.lan', fleet.lan);
  const centre = obj('maintenance.centre', m.centre ?? {});
  known('maintenance.centre', centre, ['modems', 'lanConcurrency']);
  const modems = centre.modems === undefined ? 8 : within('maintenance.centre.modems', centre.modems, 1, 64);
  const lanConcurrency = centre.lanConcurrency === undefined ? 64 : within('maintenance.centre.lanConcurrency', centre.lanConcurrency, 1, 1024);
  const plan = planOf(obj('maintenance.plan', m.plan), start);
  const faults = list('maintenance.faults', m.faults).map((f, i) => faultOf(`maintenance.faults[${i}]`, f, pbxs, nights));
  faults.forEach((f, i) => {
    if ('busyModems' in f && f.busyModems >= modems) throw new ScenarioError(`maintenance.faults[${i}].busyModems: ${f.busyModems} of ${modems} modems leaves none for the visits`);
  });
  const expect = list('expect', root.expect).map((e, i) => expectationOf(`expect[${i}]`, e, nights));
  if (expect.length === 0) throw new ScenarioError('expect: at least one expectation');
  return { name, start, nights, fleet: { pbxs, lanShare }, centre: { modems, lanConcurrency }, plan, faults, expect };
}

/** Whether a parsed document is a maintenance scenario (it has `maintenance:` at the top). */
export function isMaintenanceDocument(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'maintenance' in doc;
}
