import type { StepRecord, VisitRecord } from '../database/maintenance-records.js';
import type { WindowSpan } from '../maintenance/maintenance-plan.js';
import { MaintenanceRunner, type DeviceVisitor, type WindowSummary } from '../maintenance/maintenance-runner.js';
import { runInVirtualTime } from '../maintenance/virtual-time-driver.js';
import { MaintenanceFleet } from './maintenance-fleet.js';
import type { Bound, MaintenanceScenario, NightExpectation, NightFigure } from './maintenance-scenario-file.js';
import type { ExpectationResult, ScenarioResult } from './scenario-runner.js';

/** What a night needs to visit the fleet: the fleet (its centre lends its modems) and the night's window. */
export type VisitorFactory = (fleet: MaintenanceFleet, window: WindowSpan) => DeviceVisitor;

/** One night's completion figures (docs/scenarios.md, "Maintenance scenarios"). */
export interface NightFigures extends Record<NightFigure, number> {
  night: number;
  window: WindowSpan;
  /** Reasons of the visits that failed, each with how many. */
  failures: Record<string, number>;
  /** When the night's last visit ended (virtual time; the window's start when nothing ran). */
  lastEnd: number;
  /** Wall-clock milliseconds the night took to simulate, and the CPU time this process spent on it. */
  wallMs: number;
  cpuMs: number;
}

export interface MaintenanceRun extends ScenarioResult {
  nights: NightFigures[];
  build: { wallMs: number };
}

/** The figures of one window from its visits in the database and the runner's summary. */
export function nightFigures(night: number, summary: WindowSummary, visits: Array<VisitRecord & { steps: StepRecord[] }>, spent: { wallMs: number; cpuMs: number }): NightFigures {
  const done = visits.filter((v) => v.state === 'done');
  const failures: Record<string, number> = {};
  for (const v of visits) if (v.state === 'failed') failures[v.detail] = (failures[v.detail] ?? 0) + 1;
  const inWindow = (s: StepRecord) => s.startedAt >= summary.window.start && s.startedAt < summary.window.end;
  return {
    night,
    window: summary.window,
    devices: summary.devices,
    done: done.length,
    failed: visits.filter((v) => v.state === 'failed').length,
    cut: visits.filter((v) => v.state === 'cut').length,
    notVisited: summary.notVisited,
    busySkips: summary.busySkips,
    busyThenVisited: done.filter((v) => v.steps.some((s) => s.outcome === 'busy' && inWindow(s))).length,
    resumed: done.filter((v) => v.startedAt < summary.window.start).length,
    retried: done.filter((v) => v.steps.some((s) => s.outcome === 'failed' && inWindow(s))).length,
    lan: done.filter((v) => v.channel === 'lan').length,
    modem: done.filter((v) => v.channel === 'modem').length,
    failures,
    lastEnd: visits.reduce((t, v) => Math.max(t, v.endedAt ?? 0), summary.window.start),
    ...spent,
  };
}

function within(b: Bound, n: number): boolean {
  if ('equals' in b) return n === b.equals;
  return (b.atLeast === undefined || n >= b.atLeast) && (b.atMost === undefined || n <= b.atMost);
}

function boundText(b: Bound): string {
  if ('equals' in b) return `${b.equals}`;
  return [b.atLeast !== undefined ? `at least ${b.atLeast}` : '', b.atMost !== undefined ? `at most ${b.atMost}` : ''].filter(Boolean).join(' and ');
}

/** Check one expectation against the nights run. */
export function checkNight(e: NightExpectation, nights: NightFigures[]): ExpectationResult {
  const picked = e.night === 'all' ? nights : nights.filter((n) => n.night === e.night);
  const at = picked.at(-1)?.window.end ?? 0;
  const where = e.night === 'all' ? `over ${nights.length} nights` : `night ${e.night}`;
  if ('failures' in e) {
    const reasons = picked.flatMap((n) => Object.entries(n.failures)).filter(([r]) => r.includes(e.failures.reason));
    const n = reasons.reduce((sum, [, k]) => sum + k, 0);
    const seen = picked.flatMap((x) => Object.entries(x.failures)).map(([r, k]) => `${k}× ${oneLine(r)}`).slice(0, MAX_REASONS_SHOWN).join('; ');
    return { name: e.name, at, passed: within(e.bound, n), detail: `${where}: ${n} visits failed with "${e.failures.reason}", expected ${boundText(e.bound)} (failures: ${seen || 'none'})` };
  }
  const n = picked.reduce((sum, x) => sum + x[e.figure], 0);
  return { name: e.name, at, passed: within(e.bound, n), detail: `${where}: ${e.figure} ${n}, expected ${boundText(e.bound)}` };
}

/** Failure reasons a night's progress line lists; the figures count them all. */
const MAX_REASONS_SHOWN = 5;
const REASON_CHARS = 200;

/** A visitor's reason may span lines (what the modem said, then why): one line for a progress report. */
function oneLine(reason: string): string {
  const s = reason.replace(/\s*\n\s*/g, ' | ');
  return s.length > REASON_CHARS ? `${s.slice(0, REASON_CHARS)}…` : s;
}

/** "night 3 (Wed 2026-12-09 20:00Z): 998 done (600 LAN, 398 modem), …" */
export function nightLine(n: NightFigures): string {
  const start = new Date(n.window.start).toISOString().slice(0, 16).replace('T', ' ');
  const all = Object.entries(n.failures);
  const reasons = all.slice(0, MAX_REASONS_SHOWN).map(([r, k]) => `\n    ${k}× ${oneLine(r)}`).join('') + (all.length > MAX_REASONS_SHOWN ? `\n    … and ${all.length - MAX_REASONS_SHOWN} more reasons` : '');
  return `night ${n.night} (${start}Z): ${n.done}/${n.devices} done (${n.lan} LAN, ${n.modem} modem), ${n.failed} failed, ${n.cut} cut, ${n.notVisited} not visited, ${n.busySkips} busy skips (${n.busyThenVisited} visited later), ${n.resumed} resumed, ${n.retried} done after a retry; last visit ended ${new Date(n.lastEnd).toISOString().slice(11, 16)}Z; ${n.wallMs.toFixed(0)} ms wall, ${n.cpuMs.toFixed(0)} ms CPU${reasons}`;
}

/**
 * Run a maintenance scenario: build the fleet, then night after night put
 * that night's faults on the lab, let the runner visit every PBX in the
 * plan's window (in virtual time, through `visitor`), take the night's
 * figures from the database, and check every expectation against them.
 */
export async function runMaintenanceScenario(s: MaintenanceScenario, visitor: VisitorFactory, progress: (line: string) => void = () => {}): Promise<MaintenanceRun> {
  const started = Date.now();
  const fleet = await MaintenanceFleet.build(s);
  const built = Date.now() - started;
  progress(`fleet: ${s.fleet.pbxs} PBXs (${fleet.ids.filter((id) => fleet.channelOf(id) === 'lan').length} with LAN teleservice), ${s.centre.modems} centre modems, LAN concurrency ${s.centre.lanConcurrency}; built in ${built} ms`);
  try {
    const nights: NightFigures[] = [];
    let from = fleet.clock.now();
    for (let night = 1; night <= s.nights; night++) {
      const window = MaintenanceRunner.windowOf(fleet.plan, from);
      if (!window) throw new Error(`the plan has no window after ${new Date(from).toISOString()}`);
      fleet.clock.runUntil(window.start);
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const tonight = s.faults.filter((f) => f.night === night);
      // Modems held busy by other calls are the fault's real calls: the runner counts every centre modem, a visit waits for an idle one.
      const runner = new MaintenanceRunner({ clock: fleet.clock, records: fleet.records, visitor: visitor(fleet, window), modems: fleet.centreModems.length, lanConcurrency: s.centre.lanConcurrency });
      const undo = fleet.applyFaults(tonight, window);
      const summary = await runInVirtualTime(fleet.clock, runner, runner.runWindow(fleet.plan, window));
      await undo();
      const cpu = process.cpuUsage(cpu0);
      const figures = nightFigures(night, summary, await fleet.records.windowVisits(fleet.plan.id, window.start), { wallMs: Date.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
      nights.push(figures);
      progress(nightLine(figures));
      from = window.end;
    }
    const results = s.expect.map((e) => checkNight(e, nights));
    for (const r of results) progress(`${r.passed ? 'ok  ' : 'FAIL'} ${r.name}${r.passed ? '' : ` — ${r.detail}`}`);
    return { name: s.name, results, passed: results.every((r) => r.passed), elapsedMs: Date.now() - started, nights, build: { wallMs: built } };
  } finally {
    await fleet.close();
  }
}
