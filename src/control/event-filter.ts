import { LAB_EVENT_NAMES, type LabEvent } from '../lab/lab-events.js';

/**
 * Which events a subscription or a `run-until` wants: event names, `area.*`
 * for every event of an area, `*` for all; and optionally data fields that
 * must be equal (`{"pbx": "HSIM-0001", "attempt": 5}`; nested objects
 * compare field by field).
 */
export class EventFilterError extends Error {
  override name = 'EventFilterError';
}

/** Checked at once so a typo is a clear error rather than a subscription that never fires. */
export function checkEventPattern(pattern: string): void {
  if (pattern === '*') return;
  const matches = pattern.endsWith('.*') ? LAB_EVENT_NAMES.some((n) => n.startsWith(pattern.slice(0, -1))) : (LAB_EVENT_NAMES as readonly string[]).includes(pattern);
  if (!matches) throw new EventFilterError(`no event matches "${pattern}" (events: ${LAB_EVENT_NAMES.join(', ')}; "area.*" or "*" for several)`);
}

export function nameMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function contains(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted !== 'object' || wanted === null) return actual === wanted;
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(wanted)) return Array.isArray(actual) && wanted.length === actual.length && wanted.every((w, i) => contains(actual[i], w));
  const a = actual as Record<string, unknown>;
  return Object.entries(wanted).every(([k, w]) => contains(a[k], w));
}

export function eventMatches(event: LabEvent, pattern: string, match?: Record<string, unknown>): boolean {
  return nameMatches(pattern, event.event) && (match === undefined || contains(event.data, match));
}
