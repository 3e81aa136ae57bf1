import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CALLBACK_INDICES } from '../../firmware-sim/callback-index.js';
import { Kds } from '../../firmware-sim/kds.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { DEFAULT_PBX_TYPE, PBX_ID_PATTERN } from '../lab/config.js';
import { ioReason } from '../io-reason.js';
import { count, known, list, obj, onlyOne, parseDuration, ScenarioError, text } from './scenario-fields.js';
import { isMaintenanceDocument, validateMaintenanceScenario, type MaintenanceScenario } from './maintenance-scenario-file.js';

export { parseDuration, ScenarioError, MAX_SCENARIO_MS } from './scenario-fields.js';

/**
 * A HIL scenario (docs/scenarios.md): a network, a timeline of actions and
 * expectations checked at given virtual times. Read from YAML or JSON and
 * checked field by field, so a bad file gets a message naming the field.
 */
export interface Scenario {
  name: string;
  pbxs: Array<{ id: string; kds: Record<string, string> }>;
  timeline: Action[];
  expect: Expectation[];
}

export type Action =
  | { at: number; raise: { pbx: string; class: 'A' | 'B' | 'C'; code: number; text: string } }
  | { at: number; centreBusy: number }
  | { at: number; cutLine: { afterBytes?: number; afterMs?: number } }
  | { at: number; restoreLine: true }
  | { at: number; powerCycle: string }
  | { at: number; reload: string }
  | { at: number; requestCallback: { pbx: string; index: number } }
  | { at: number; set: { pbx: string; path: string; value: string } };

export type Check =
  | { reportsReceived: { pbx: string; count: number } }
  | { callbackAttempts: { pbx: string; count: number } }
  | { signalingAttempts: { pbx: string; count: number } }
  | { errorHistory: { pbx: string; count: number } }
  | { logContains: { pbx: string; text: string } }
  | { event: { pbx: string; type: string; count?: number } };

export type Expectation = Check & { by: number; name: string };

/** The scenario's PBXs are built with the lab's default type: a KDS path must exist there and the value fit it. */
function kdsValue(where: string, path: string, value: string): string {
  const probe = Kds.defaults(DEFAULT_PBX_TYPE);
  const secret = resolveItem(path)?.spec.secret === true;
  const r = secret && value === '' ? { ok: probe.has(path), error: `no KDS item ${path}` } : probe.set(path, value);
  if (!r.ok) throw new ScenarioError(`${where}: ${r.error}`);
  return value;
}

const ACTIONS = ['raise', 'centreBusy', 'cutLine', 'restoreLine', 'powerCycle', 'reload', 'requestCallback', 'set'] as const;
const CHECKS = ['reportsReceived', 'callbackAttempts', 'signalingAttempts', 'errorHistory', 'logContains', 'event'] as const;

export function validateScenario(doc: unknown): Scenario {
  const root = obj('scenario', doc);
  known('scenario', root, ['name', 'network', 'timeline', 'expect']);
  const name = text('name', root.name);
  const network = obj('network', root.network ?? {});
  known('network', network, ['pbxs']);
  const pbxs = list('network.pbxs', network.pbxs).map((p, i) => {
    const o = obj(`network.pbxs[${i}]`, p);
    known(`network.pbxs[${i}]`, o, ['id', 'kds']);
    const kds = obj(`network.pbxs[${i}].kds`, o.kds ?? {});
    const id = text(`network.pbxs[${i}].id`, o.id);
    if (!PBX_ID_PATTERN.test(id)) throw new ScenarioError(`network.pbxs[${i}].id: "${id}" must be 1–16 letters, digits or dashes`);
    const entries = Object.entries(kds).map(([k, v]) => [k, kdsValue(`network.pbxs[${i}].kds.${k}`, k, text(`network.pbxs[${i}].kds.${k}`, v))]);
    return { id, kds: Object.fromEntries(entries) as Record<string, string> };
  });
  if (pbxs.length === 0) throw new ScenarioError('network.pbxs: at least one PBX');
  const ids = new Set<string>();
  pbxs.forEach((p, i) => {
    if (ids.has(p.id)) throw new ScenarioError(`network.pbxs[${i}].id: ${p.id} is used twice; ids must be unique`);
    ids.add(p.id);
  });
  const pbxRef = (where: string, v: unknown): string => {
    const id = text(where, v);
    if (!ids.has(id)) throw new ScenarioError(`${where}: no PBX ${id} in network.pbxs`);
    return id;
  };
  const timeline = list('timeline', root.timeline).map((a, i): Action => {
    const w = `timeline[${i}]`;
    const o = obj(w, a);
    known(w, o, ['at', ...ACTIONS]);
    const at = parseDuration(`${w}.at`, o.at);
    switch (onlyOne(w, o, ACTIONS)) {
      case 'raise': {
        const r = obj(`${w}.raise`, o.raise);
        known(`${w}.raise`, r, ['pbx', 'class', 'code', 'text']);
        const cls = text(`${w}.raise.class`, r.class);
        if (cls !== 'A' && cls !== 'B' && cls !== 'C') throw new ScenarioError(`${w}.raise.class: A, B or C`);
        const code = r.code === undefined ? 0x210 : count(`${w}.raise.code`, r.code);
        if (code > 0xffff) throw new ScenarioError(`${w}.raise.code: 0–65535`);
        return { at, raise: { pbx: pbxRef(`${w}.raise.pbx`, r.pbx), class: cls, code, text: r.text === undefined ? 'scenario error' : text(`${w}.raise.text`, r.text) } };
      }
      case 'centreBusy':
        return { at, centreBusy: count(`${w}.centreBusy`, o.centreBusy) };
      case 'cutLine': {
        const c = obj(`${w}.cutLine`, o.cutLine);
        known(`${w}.cutLine`, c, ['afterBytes', 'afterTime']);
        if ((c.afterBytes === undefined) === (c.afterTime === undefined)) throw new ScenarioError(`${w}.cutLine: afterBytes or afterTime`);
        return { at, cutLine: c.afterBytes !== undefined ? { afterBytes: count(`${w}.cutLine.afterBytes`, c.afterBytes) } : { afterMs: parseDuration(`${w}.cutLine.afterTime`, c.afterTime) } };
      }
      case 'restoreLine':
        return { at, restoreLine: true };
      case 'powerCycle':
        return { at, powerCycle: pbxRef(`${w}.powerCycle`, o.powerCycle) };
      case 'reload':
        return { at, reload: pbxRef(`${w}.reload`, o.reload) };
      case 'requestCallback': {
        const r = obj(`${w}.requestCallback`, o.requestCallback);
        known(`${w}.requestCallback`, r, ['pbx', 'index']);
        const index = count(`${w}.requestCallback.index`, r.index);
        if (index < 1 || index > CALLBACK_INDICES) throw new ScenarioError(`${w}.requestCallback.index: ${index} is not a callback index 1–${CALLBACK_INDICES}`);
        return { at, requestCallback: { pbx: pbxRef(`${w}.requestCallback.pbx`, r.pbx), index } };
      }
      default: {
        const s = obj(`${w}.set`, o.set);
        known(`${w}.set`, s, ['pbx', 'path', 'value']);
        const path = text(`${w}.set.path`, s.path);
        const value = typeof s.value === 'string' ? s.value : text(`${w}.set.value`, s.value);
        return { at, set: { pbx: pbxRef(`${w}.set.pbx`, s.pbx), path, value: kdsValue(`${w}.set`, path, value) } };
      }
    }
  });
  const expect = list('expect', root.expect).map((e, i): Expectation => {
    const w = `expect[${i}]`;
    const o = obj(w, e);
    known(w, o, ['by', 'name', ...CHECKS]);
    const by = parseDuration(`${w}.by`, o.by);
    const kind = onlyOne(w, o, CHECKS);
    const c = obj(`${w}.${kind}`, o[kind]);
    known(`${w}.${kind}`, c, kind === 'logContains' ? ['pbx', 'text'] : kind === 'event' ? ['pbx', 'type', 'count'] : ['pbx', 'count']);
    const pbx = pbxRef(`${w}.${kind}.pbx`, c.pbx);
    const label = typeof o.name === 'string' ? o.name : `${kind} ${JSON.stringify(c)} by ${o.by}`;
    switch (kind) {
      case 'logContains':
        return { by, name: label, logContains: { pbx, text: text(`${w}.logContains.text`, c.text) } };
      case 'event':
        return { by, name: label, event: { pbx, type: text(`${w}.event.type`, c.type), ...(c.count === undefined ? {} : { count: count(`${w}.event.count`, c.count) }) } };
      default:
        return { by, name: label, [kind]: { pbx, count: count(`${w}.${kind}.count`, c.count) } } as Expectation;
    }
  });
  if (expect.length === 0) throw new ScenarioError('expect: at least one expectation');
  return { name, pbxs, timeline, expect };
}

/** A scenario file of either kind: a lab timeline (`network:`) or a maintenance plan over a fleet (`maintenance:`). */
export type LoadedScenario = { kind: 'lab'; scenario: Scenario } | { kind: 'maintenance'; scenario: MaintenanceScenario };

export function loadScenario(path: string): LoadedScenario {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read ${path}: ${ioReason(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch (err) {
    throw new ScenarioError(`${path}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return isMaintenanceDocument(doc) ? { kind: 'maintenance', scenario: validateMaintenanceScenario(doc) } : { kind: 'lab', scenario: validateScenario(doc) };
  } catch (err) {
    throw new ScenarioError(`${path}: ${(err as Error).message}`);
  }
}
