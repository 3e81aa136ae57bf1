import type { DeviceEvent } from '../../core/check-in-body.js';

/**
 * What a device's event means for the centre's event life (spec §5.3):
 * conditions someone must look at start active (tamper, a door left open,
 * mains lost, a class-B error); what only informs (a key taken, the door
 * closed again) is born cleared. Some events end an earlier condition: the
 * mains coming back clears the active power-loss.
 *
 * Event types: docs/check-in-telegram.md §3.1.
 */
const CONDITIONS = new Set(['tamper', 'power-loss', 'door-open', 'wrong-pin', 'queue-overflow', 'settings-lost', 'error']);

/** Condition types an event of this type ends. */
const CLEARS: Readonly<Record<string, readonly string[]>> = {
  'power-return': ['power-loss'],
  'door-close': ['door-open'],
};

export function deviceEventLife(e: DeviceEvent): 'active' | 'cleared' {
  if (e.type === 'test') return e.result === 'ok' ? 'cleared' : 'active';
  if (e.type === 'command') return e.result === 'done' ? 'cleared' : 'active';
  return CONDITIONS.has(e.type) ? 'active' : 'cleared';
}

export function clearedBy(type: string): readonly string[] {
  return CLEARS[type] ?? [];
}

/** Event types that are a function test arriving (spec §3.4's pseudo error over the LAN, a depot's self test). */
export function isFunctionTest(e: DeviceEvent): boolean {
  return e.type === 'function-test' || (e.type === 'test' && e.result === 'ok');
}
