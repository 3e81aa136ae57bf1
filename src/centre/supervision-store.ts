import type { CompiledQuery, Kysely } from 'kysely';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { deviceOf } from '../database/device-registry.js';
import { clearActiveEvents, insertEvent } from '../database/event-log.js';
import { prepareQuery, preparedFor } from '../database/prepared-query.js';
import type { Database, DeviceRow } from '../database/schema.js';
import { readSupervisionState, saveSupervisionState } from '../database/supervision-states.js';
import { query, type Work } from '../database/work.js';
import { checkedIn, functionTested, initialState, reportArrived, type SupervisedDevice, type SupervisionOutcome } from './supervision-rules.js';

/** Topic of the live-event bus when events were stored (listeners read the rows: `events where id > last seen`). */
export const EVENTS_TOPIC = 'events';

/**
 * Part of a unit of work: write a supervision outcome — the new state, the
 * active events it ends cleared, the events it raises stored — so a state
 * and its events commit together. Returns how many events it stored.
 */
export function* applySupervision(qb: Kysely<Database>, outcome: SupervisionOutcome, now: number): Work<number> {
  yield* saveSupervisionState(qb, outcome.state);
  return yield* applyEvents(qb, outcome, now);
}

/** The events part of `applySupervision`: the active events the outcome ends cleared, then the ones it raises stored. */
function* applyEvents(qb: Kysely<Database>, outcome: SupervisionOutcome, now: number): Work<number> {
  const id = outcome.state.deviceId;
  for (const type of outcome.clear) yield* clearActiveEvents(qb, id, type, now);
  for (const e of outcome.events) yield* insertEvent(qb, { deviceId: id, source: 'supervision', type: e.type, occurredAt: now, receivedAt: now, data: e.data, life: e.life });
  return outcome.events.length;
}

/** Part of a unit of work: the registered device with its supervision state (initial if it has none); undefined for an unknown id. */
export function* readSupervised(qb: Kysely<Database>, deviceId: string, now: number): Work<{ device: SupervisedDevice; state: ReturnType<typeof initialState> } | undefined> {
  const { rows } = yield* query(deviceById(qb)({ id: deviceId }));
  if (rows.length === 0) return undefined;
  const device = deviceOf(rows[0]);
  const state = (yield* readSupervisionState(qb, deviceId)) ?? initialState(device, now);
  return { device, state };
}

/**
 * The device row by id, compiled once per database: every report the modem
 * centre stores reads it (and Kysely's builder and compiler cost more than
 * SQLite takes to find the row; a fleet stores hundreds of thousands).
 */
function deviceById(qb: Kysely<Database>): (args: { id: string }) => CompiledQuery<DeviceRow> {
  return preparedFor(qb, 'supervised-device', () => prepareQuery<{ id: string }, DeviceRow>((p) => qb.selectFrom('devices').selectAll().where('id', '=', p('id'))));
}

/** Part of a unit of work: a check-in arrived (the slow path: presence was not ok, or the device has no state yet). */
export function* superviseCheckIn(qb: Kysely<Database>, deviceId: string, now: number): Work<number> {
  const s = yield* readSupervised(qb, deviceId, now);
  return s ? yield* applySupervision(qb, checkedIn(s.device, s.state, now), now) : 0;
}

/** Part of a unit of work: a function test that happened at `at` arrived (registered devices only). */
export function* superviseFunctionTest(qb: Kysely<Database>, deviceId: string, at: number, now: number): Work<number> {
  const s = yield* readSupervised(qb, deviceId, now);
  return s ? yield* applySupervision(qb, functionTested(s.device, s.state, at, now), now) : 0;
}

/**
 * Part of a unit of work: a newly stored report by modem — the PBX heard (by
 * its reports), then each function test it carries, judged one after the
 * other as if each arrived alone. The device and its state are read once and
 * the last state written once: each step's state is the one the step before
 * left, exactly what it would read back, and the events each step clears and
 * raises go in the same order as before (the state is another table).
 */
export function* superviseReportArrival(qb: Kysely<Database>, report: ErrorReport, now: number): Work<number> {
  const s = yield* readSupervised(qb, report.systemId, now);
  if (!s) return 0;
  const outcomes = [reportArrived(s.device, s.state, now)];
  for (const r of report.records) if (r.pseudo) outcomes.push(functionTested(s.device, outcomes[outcomes.length - 1].state, r.time, now));
  yield* saveSupervisionState(qb, outcomes[outcomes.length - 1].state);
  let events = 0;
  for (const outcome of outcomes) events += yield* applyEvents(qb, outcome, now);
  return events;
}
