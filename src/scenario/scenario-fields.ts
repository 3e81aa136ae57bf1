import { DURATION_UNITS, parseDuration as parseDurationText } from '../../core/duration.js';

/**
 * The field checks every scenario file shares (docs/scenarios.md): each
 * names the field it refuses, so a bad file gets a message that points at
 * the line to fix.
 */

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** A scenario covers at most a year of virtual time: more is a typo (1e400 is Infinity). */
export const MAX_SCENARIO_MS = 366 * DURATION_UNITS.d;

/** "90s", "15min", "2h", "7d", "500ms" or a bare number of seconds → ms, from 0 to a year. */
export function parseDuration(where: string, v: unknown): number {
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDurationText(v) : undefined;
  if (ms === undefined || Number.isNaN(ms)) throw new ScenarioError(`${where}: ${JSON.stringify(v)} is not a duration (e.g. 90s, 15min, 2h, 7d)`);
  if (!(ms >= 0 && ms <= MAX_SCENARIO_MS)) throw new ScenarioError(`${where}: ${String(v)} is outside 0 s – 366 d of virtual time`);
  return ms;
}

export type Raw = Record<string, unknown>;
export const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function obj(where: string, v: unknown): Raw {
  if (!isObj(v)) throw new ScenarioError(`${where}: expected a mapping`);
  return v;
}
export function text(where: string, v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v === '') throw new ScenarioError(`${where}: expected text`);
  return v;
}
export function count(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ScenarioError(`${where}: expected a whole number ≥ 0`);
  return v;
}
export function list(where: string, v: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ScenarioError(`${where}: expected a list`);
  return v;
}
/** A misspelt key would otherwise be ignored: a scenario that tests nothing and passes. */
export function known(where: string, o: Raw, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ScenarioError(`${where}: unknown field "${k}" (known: ${keys.join(', ')})`);
}

export function onlyOne(where: string, o: Raw, keys: readonly string[]): string {
  const present = keys.filter((k) => o[k] !== undefined);
  if (present.length !== 1) throw new ScenarioError(`${where}: exactly one of ${keys.join(', ')}`);
  return present[0];
}

