import type { LabEvents } from './lab-events.js';
import type { PbxAssembly } from './pbx-assembly.js';

/**
 * Publish what one PBX does on the lab's event stream: new Error History
 * entries, error signaling (attempts, failures, the centre's ACK) and
 * callback. Called for every assembly, the one made by a power cycle too.
 */
export function wirePbxEvents(assembly: PbxAssembly, events: LabEvents): void {
  const pbx = assembly.entry.id;
  // Each listener returns at once when nobody listens: a fleet in virtual time raises these by the million.
  assembly.pbx.errors.onAdd((r) => events.listened && events.emit('error.raised', { pbx, id: r.id, class: r.cls, code: r.code, location: r.location, text: r.text, pseudo: r.pseudo }));
  assembly.signaling.onEvent((e) => {
    if (!events.listened) return;
    switch (e.type) {
      case 'attempt': return events.emit('signaling.attempt', { pbx, attempt: e.attempt, modem: e.modem, number: e.number, seq: e.seq, records: e.records });
      case 'failed': return events.emit('signaling.failed', { pbx, attempt: e.attempt, failure: e.failure });
      case 'stopped': return events.emit('signaling.stopped', { pbx, failures: e.failures });
      case 'resumed': return events.emit('signaling.resumed', { pbx });
      case 'skipped': return events.emit('signaling.skipped', { pbx, reason: e.reason });
      case 'function-test': return events.emit('signaling.function-test', { pbx, id: e.id });
      case 'sent': return events.emit('report.acknowledged', { pbx, seq: e.seq, records: e.records, deleted: e.deleted });
    }
  });
  assembly.callback.onEvent((e) => {
    if (!events.listened) return;
    switch (e.type) {
      case 'registered': return events.emit('callback.registered', { pbx, index: e.index, modem: e.modem });
      case 'refused': return events.emit('callback.refused', { pbx, index: e.index ?? null, reason: e.reason });
      case 'attempt': return events.emit('callback.attempt', { pbx, index: e.index, attempt: e.attempt, modem: e.modem, number: e.number });
      case 'failed': return events.emit('callback.failed', { pbx, index: e.index, attempt: e.attempt, outcome: e.outcome });
      case 'connected': return events.emit('callback.connected', { pbx, index: e.index, attempt: e.attempt, modem: e.modem });
      case 'given-up': return events.emit('callback.given-up', { pbx, index: e.index, attempts: e.attempts });
      case 'cancelled': return events.emit('callback.cancelled', { pbx, index: e.index });
    }
  });
}
