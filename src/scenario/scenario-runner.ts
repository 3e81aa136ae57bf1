import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock.js';
import { validateConfig } from '../lab/config.js';
import { Lab } from '../lab/lab.js';
import type { CallTrace } from '../lab/call-trace.js';
import type { PbxAssembly } from '../lab/pbx-assembly.js';
import { TimelineRecorder, type Timeline } from '../timeline/timeline-recorder.js';
import type { Action, Check, Expectation, Scenario } from './scenario-file.js';

/** Numbers of the scenario network (docs/scenarios.md); a PBX dials them with the outside-line prefix 0. */
export const SCENARIO_CENTRE_NUMBER = '0899000';
export const SCENARIO_TECHNICIAN_NUMBER = '0897000';
/** Scenarios use a cheap scrypt: nothing in them is a real secret. */
const SCENARIO_HASH_COST = 1024;

export interface ExpectationResult {
  name: string;
  at: number;
  passed: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: string;
  results: ExpectationResult[];
  passed: boolean;
  /** Wall-clock duration of the run. */
  elapsedMs: number;
  /** What happened, for the timeline report (with `record`). */
  timeline?: Timeline;
}

interface Counters {
  events: Map<string, number>;
}

/**
 * Runs a scenario on an in-memory lab in virtual time: actions and checks
 * are ordered by their time; the clock runs between them.
 */
export async function runScenario(scenario: Scenario, progress: (line: string) => void = () => {}, options: { record?: boolean; trace?: CallTrace } = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const clock = new VirtualClock();
  const dir = mkdtempSync(join(tmpdir(), 'hicom-scenario-'));
  const config = validateConfig({
    stateDir: dir,
    pbxs: scenario.pbxs.map((p, i) => ({ id: p.id, trunks: [`0301${String(i + 1).padStart(3, '0')}`] })),
    modems: [
      { name: 'technician', number: SCENARIO_TECHNICIAN_NUMBER, bind: 'tcp:127.0.0.1:1' },
      { name: 'centre', number: SCENARIO_CENTRE_NUMBER, bind: 'tcp:127.0.0.1:2' },
    ],
    centre: { modem: 'centre' },
  }, dir);
  const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: SCENARIO_HASH_COST, centreDir: join(dir, 'centre'), centreFsync: false, ...(options.trace ? { trace: options.trace, traceLabel: scenario.name } : {}) });
  try {
    // The technician's modem answers callbacks by itself.
    lab.modems.get('technician')?.modem.sRegisters.set(0, 1);
    const recorder = options.record ? TimelineRecorder.forLab(lab, scenario.name) : undefined;
    const counters = new Map<string, Counters>();
    for (const p of scenario.pbxs) {
      const lp = lab.pbxs.get(p.id);
      if (!lp) throw new Error(`lab has no PBX ${p.id}`);
      const c: Counters = { events: new Map() };
      counters.set(p.id, c);
      const bump = (key: string): void => { c.events.set(key, (c.events.get(key) ?? 0) + 1); };
      lp.callback.onEvent((e) => bump(`callback-${e.type}`));
      lp.signaling.onEvent((e) => bump(`signaling-${e.type}`));
      for (const [path, value] of Object.entries(p.kds)) change(lp, path, value);
    }
    const t0 = clock.now();
    const steps: Array<{ at: number; order: number; run: () => void | Promise<void> }> = [
      ...scenario.timeline.map((a, i) => ({ at: a.at, order: i, run: () => act(lab, a, progress, t0) })),
      ...scenario.expect.map((e, i) => ({ at: e.by, order: 1_000_000 + i, run: async () => void results.push(await check(lab, counters, e, clock.now() - t0)) })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
    const results: ExpectationResult[] = [];
    for (const step of steps) {
      clock.runUntil(t0 + step.at);
      await step.run();
      const last = results.at(-1);
      if (last && step.order >= 1_000_000) progress(`${stamp(last.at)} ${last.passed ? 'ok  ' : 'FAIL'} ${last.name}${last.passed ? '' : ` — ${last.detail}`}`);
    }
    for (const r of results) recorder?.addVerdict({ name: r.name, time: t0 + r.at, passed: r.passed, detail: r.detail });
    return { name: scenario.name, results, passed: results.every((r) => r.passed), elapsedMs: Date.now() - started, ...(recorder ? { timeline: recorder.finish() } : {}) };
  } finally {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function stamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hms = new Date((s % 86400) * 1000).toISOString().slice(11, 19);
  return `[${d ? `${d}d ` : ''}${hms}]`;
}

function change(pbx: PbxAssembly, path: string, value: string): void {
  const r = pbx.setKds('scenario', path, value);
  if (!r.ok) throw new Error(`KDS ${path}=${value}: ${r.error}`);
}

function act(lab: Lab, a: Action, progress: (line: string) => void, t0: number): void {
  const at = stamp(lab.clock.now() - t0);
  const pbx = (id: string) => {
    const p = lab.pbxs.get(id);
    if (!p) throw new Error(`no PBX ${id}`);
    return p;
  };
  if ('raise' in a) {
    pbx(a.raise.pbx).raise({ cls: a.raise.class, code: a.raise.code, location: 'scenario', text: a.raise.text });
    progress(`${at} raise class ${a.raise.class} error on ${a.raise.pbx}`);
  } else if ('centreBusy' in a) {
    lab.setFault(SCENARIO_CENTRE_NUMBER, { busyNextCalls: a.centreBusy });
    progress(`${at} centre busy for the next ${a.centreBusy} calls`);
  } else if ('cutLine' in a) {
    lab.setFault(SCENARIO_CENTRE_NUMBER, { dropAfterBytes: a.cutLine.afterBytes, dropAfterMs: a.cutLine.afterMs });
    progress(`${at} centre line cut ${a.cutLine.afterBytes !== undefined ? `after ${a.cutLine.afterBytes} bytes` : `after ${a.cutLine.afterMs} ms`} of every call`);
  } else if ('restoreLine' in a) {
    lab.clearFault(SCENARIO_CENTRE_NUMBER);
    progress(`${at} centre line restored`);
  } else if ('powerCycle' in a) {
    // In memory the restart is synchronous: RAM state (pending callback, retry counters, a call in progress) is lost; the Error History is kept.
    void lab.powerCycle(a.powerCycle);
    progress(`${at} power cycle ${a.powerCycle}`);
  } else if ('reload' in a) {
    lab.reload(a.reload);
    progress(`${at} reload switch ${a.reload}: delivered database`);
  } else if ('requestCallback' in a) {
    const r = pbx(a.requestCallback.pbx).callback.request(a.requestCallback.index);
    progress(`${at} callback request index ${a.requestCallback.index} on ${a.requestCallback.pbx}: ${r.ok ? 'registered' : r.error}`);
  } else {
    change(pbx(a.set.pbx), a.set.path, a.set.value);
    progress(`${at} ${a.set.pbx}: ${a.set.path} = ${a.set.value}`);
  }
}

async function check(lab: Lab, counters: Map<string, Counters>, e: Expectation, at: number): Promise<ExpectationResult> {
  const c: Check = e;
  const result = (passed: boolean, detail: string): ExpectationResult => ({ name: e.name, at, passed, detail });
  const events = (id: string, key: string): number => counters.get(id)?.events.get(key) ?? 0;
  if ('reportsReceived' in c) {
    const n = (await lab.centreReports?.count(c.reportsReceived.pbx)) ?? 0;
    return result(n === c.reportsReceived.count, `centre has ${n} reports of ${c.reportsReceived.pbx}, expected ${c.reportsReceived.count}`);
  }
  if ('callbackAttempts' in c) {
    const n = events(c.callbackAttempts.pbx, 'callback-attempt');
    return result(n === c.callbackAttempts.count, `${n} callback attempts, expected ${c.callbackAttempts.count}`);
  }
  if ('signalingAttempts' in c) {
    const n = events(c.signalingAttempts.pbx, 'signaling-attempt');
    return result(n === c.signalingAttempts.count, `${n} signaling attempts, expected ${c.signalingAttempts.count}`);
  }
  if ('errorHistory' in c) {
    const n = lab.pbxs.get(c.errorHistory.pbx)?.pbx.errors.list().length ?? 0;
    return result(n === c.errorHistory.count, `Error History has ${n} entries, expected ${c.errorHistory.count}`);
  }
  if ('logContains' in c) {
    const found = lab.pbxs.get(c.logContains.pbx)?.pbx.log.read().some((l) => l.command.includes(c.logContains.text)) ?? false;
    return result(found, `protocol log has no entry containing "${c.logContains.text}"`);
  }
  const n = events(c.event.pbx, c.event.type);
  return result(c.event.count === undefined ? n > 0 : n === c.event.count, `${n} "${c.event.type}" events${c.event.count === undefined ? '' : `, expected ${c.event.count}`}`);
}
