import { sql, type Kysely } from 'kysely';
import type { CommandEnvelope, DeviceEvent } from '../../core/check-in-body.js';
import { judgeCheckIn } from '../../core/check-in-verdict.js';
import { bodyBytes, maxBodyBytes, type Telegram } from '../../core/check-in-telegram.js';
import type { ReplayWindow } from '../../core/replay-window.js';
import { acknowledgeCommand, envelopeOf, markDelivered, openCommandsQuery } from '../database/device-commands.js';
import { clearActiveEvents } from '../database/event-log.js';
import { prepareQuery, preparedFor } from '../database/prepared-query.js';
import { countReject } from '../database/reject-counters.js';
import { updateReplayWindow } from '../database/replay-windows.js';
import type { Database } from '../database/schema.js';
import { affected, query, type Work } from '../database/work.js';
import { clearedBy, deviceEventLife, isFunctionTest } from './device-event-life.js';
import { superviseCheckIn, superviseFunctionTest } from './supervision-store.js';

export type CheckInTelegram = Extract<Telegram, { type: 'check-in' }>;

/** A check-in that passed the tag, as the intake hands it to the database. */
export interface CheckInArrival {
  telegram: CheckInTelegram;
  receivedAt: number;
  /** `address:port` it came from. */
  source: string;
  /** The window this process last saw for the device (a guess; the database decides). */
  window: ReplayWindow | undefined;
  /** This process counted rejects for the device since its last accepted check-in: clear its "rejected-telegrams" event. */
  endsRejects?: boolean;
}

export type CheckInOutcome =
  | { verdict: 'accept'; window: ReplayWindow; accepted: number[]; commands: CommandEnvelope[]; newEvents: number }
  | { verdict: 'replay' | 'clock-skew'; window: ReplayWindow }
  /** The device was removed meanwhile (no replay window left). */
  | { verdict: 'unknown-device' };

/** Statements run for every telegram, compiled once per database. */
function statements(qb: Kysely<Database>) {
  return preparedFor(qb, 'check-in-store', () => ({
    insertCheckIn: prepareQuery<{ deviceId: string; receivedAt: number; counter: number; deviceTimeMs: number; source: string; status: string | null }>((p) =>
      qb.insertInto('check_ins').values({ device_id: p('deviceId'), received_at: p('receivedAt'), counter: p('counter'), device_time_ms: p('deviceTimeMs'), source: p('source'), status: p('status') }),
    ),
    insertEvent: prepareQuery<{ deviceId: string; type: string; seq: number; occurredAt: number; receivedAt: number; data: string; life: string; clearedAt: number | null }>((p) =>
      qb
        .insertInto('events')
        .values({ device_id: p('deviceId'), source: 'device', type: p('type'), device_seq: p('seq'), occurred_at: p('occurredAt'), received_at: p('receivedAt'), data: p('data'), report_id: null, life: p('life'), cleared_at: p('clearedAt'), ack: 'unacknowledged' })
        .onConflict((oc) => oc.columns(['device_id', 'device_seq']).doNothing()),
    ),
    /**
     * The check-in of a device that is present (the common case) in one
     * statement: presence stays ok, the next deadline is the sooner of
     * "late" (now + interval + grace, as `presenceDeadlines` in
     * supervision-rules.ts) and the function test's. Zero rows: the device
     * was late, missing or new, and the rules take over.
     */
    presentAgain: prepareQuery<{ deviceId: string; now: number }>((p) =>
      qb
        .updateTable('supervision_states')
        .set({
          last_check_in_at: p('now'),
          next_check_at: sql<number>`(select case when supervision_states.test_due_at is not null and supervision_states.test_due_at < ${p('now')} + d.check_in_interval_ms + d.grace_ms then supervision_states.test_due_at else ${p('now')} + d.check_in_interval_ms + d.grace_ms end from devices d where d.id = supervision_states.device_id)`,
        })
        .where('device_id', '=', p('deviceId'))
        .where('presence', '=', 'ok'),
    ),
    openCommands: openCommandsQuery(qb),
  }));
}

/**
 * The unit of work of one check-in (spec §5.2, docs/check-in-telegram.md
 * §5): take the counter (replay window, atomically), judge the clock, and
 * for an accepted telegram store it, its events (each seq once), what its
 * events mean (command outcomes, function tests, conditions ended), the
 * device's presence, and which commands ride in the ack. Nothing is
 * answered before this commits.
 */
export function* storeCheckIn(qb: Kysely<Database>, a: CheckInArrival): Work<CheckInOutcome> {
  const q = statements(qb);
  const t = a.telegram;
  const id = t.deviceId;
  const now = a.receivedAt;
  const nowS = Math.floor(now / 1000);
  const judged = yield* updateReplayWindow(
    qb,
    id,
    (w) => {
      const j = judgeCheckIn(w, t.counter, t.time, nowS);
      return { verdict: j.verdict, next: j.verdict === 'replay' ? undefined : j.window };
    },
    a.window,
  );
  if (!judged) return { verdict: 'unknown-device' };
  if (judged.verdict !== 'accept') {
    yield* countReject(qb, { deviceId: id, reason: judged.verdict, at: now, source: a.source });
    return { verdict: judged.verdict, window: judged.window };
  }
  const status = t.body.status;
  yield* query(q.insertCheckIn({ deviceId: id, receivedAt: now, counter: t.counter, deviceTimeMs: t.time * 1000, source: a.source, status: status === undefined ? null : JSON.stringify(status) }));
  const events = t.body.events ?? [];
  let newEvents = 0;
  for (const e of events) if (yield* storeDeviceEvent(qb, id, e, now)) newEvents++;
  if (affected(yield* query(q.presentAgain({ deviceId: id, now }))) === 0) {
    newEvents += yield* superviseCheckIn(qb, id, now);
    yield* clearActiveEvents(qb, id, REJECTED_EVENT, now);
  } else if (a.endsRejects) {
    yield* clearActiveEvents(qb, id, REJECTED_EVENT, now);
  }
  const { rows } = yield* query(q.openCommands({ deviceId: id }));
  const accepted = events.map((e) => e.seq);
  const commands = fitCommands(id, t.counter, nowS, accepted, (rows as Array<{ command_id: number; type: string; fields: string }>).map(envelopeOf));
  yield* markDelivered(qb, id, commands.map((c) => c.id), now);
  return { verdict: 'accept', window: judged.window, accepted, commands, newEvents };
}

/** Store one event once; what it means happens only the first time it arrives. Returns whether it was new. */
function* storeDeviceEvent(qb: Kysely<Database>, deviceId: string, e: DeviceEvent, now: number): Work<boolean> {
  const { seq, time, type, ...fields } = e;
  const life = deviceEventLife(e);
  const ins = yield* query(statements(qb).insertEvent({ deviceId, type, seq, occurredAt: time * 1000, receivedAt: now, data: JSON.stringify(fields), life, clearedAt: life === 'cleared' ? now : null }));
  if (affected(ins) === 0) return false;
  for (const ended of clearedBy(type)) yield* clearActiveEvents(qb, deviceId, ended, now);
  if (type === 'command' && typeof e.command === 'number') {
    yield* acknowledgeCommand(qb, deviceId, e.command, { result: String(e.result ?? ''), detail: String(e.detail ?? '') }, now);
  }
  if (isFunctionTest(e)) yield* superviseFunctionTest(qb, deviceId, time * 1000, now);
  return true;
}

/** As many of the open commands as keep the ack one datagram (the rest follow in later acks). */
function fitCommands(deviceId: string, counter: number, nowS: number, accepted: number[], open: CommandEnvelope[]): CommandEnvelope[] {
  const budget = maxBodyBytes(deviceId);
  const out: CommandEnvelope[] = [];
  for (const c of open) {
    if (bodyBytes({ counter, serverTime: nowS, accepted, commands: [...out, c] }) > budget) break;
    out.push(c);
  }
  return out;
}

/** Part of the rejects' unit of work: count, and for a registered device keep one active "rejected-telegrams" event open. */
export function* storeRejects(qb: Kysely<Database>, rejects: ReadonlyArray<{ deviceId: string; reason: string; count: number; at: number; source: string }>): Work<number> {
  let raised = 0;
  for (const r of rejects) {
    yield* countReject(qb, r);
    if (r.deviceId === '') continue;
    const ins = yield* query(
      qb
        .insertInto('events')
        .columns(['device_id', 'source', 'type', 'device_seq', 'occurred_at', 'received_at', 'data', 'report_id', 'life', 'cleared_at', 'ack'])
        .expression((eb) =>
          eb
            .selectFrom('devices')
            .select([
              'devices.id',
              eb.val('intake').as('source'),
              eb.val(REJECTED_EVENT).as('type'),
              sql<null>`cast(null as bigint)`.as('device_seq'),
              sql<number>`cast(${r.at} as bigint)`.as('occurred_at'),
              sql<number>`cast(${r.at} as bigint)`.as('received_at'),
              eb.val(JSON.stringify({ reason: r.reason, count: r.count, source: r.source })).as('data'),
              sql<null>`cast(null as bigint)`.as('report_id'),
              eb.val('active').as('life'),
              sql<null>`cast(null as bigint)`.as('cleared_at'),
              eb.val('unacknowledged').as('ack'),
            ])
            .where('devices.id', '=', r.deviceId)
            .where((w) => w.not(w.exists(w.selectFrom('events').select('events.id').where('events.device_id', '=', r.deviceId).where('events.type', '=', REJECTED_EVENT).where('events.life', '=', 'active')))),
        ),
    );
    raised += affected(ins);
  }
  return raised;
}

/** The event that tells an operator a device's telegrams are being refused (a wrong key or clock: not "offline"). */
export const REJECTED_EVENT = 'rejected-telegrams';
