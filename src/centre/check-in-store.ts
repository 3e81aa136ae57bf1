import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CommandEnvelope, DeviceEvent } from '../../core/check-in-body.js';
import { judgeCheckIn } from '../../core/check-in-verdict.js';
import { bodyBytes, maxBodyBytes, type Telegram } from '../../core/check-in-telegram.js';
import { isReplayWindow, type ReplayWindow } from '../../core/replay-window.js';
import { rowsStatement, withValues, type RowValue } from '../database/values-rows.js';
import { acknowledgeCommand, envelopeOf, markDelivered, MAX_COMMANDS_PER_ACK, openCommandsQuery } from '../database/device-commands.js';
import { insertCheckIn } from '../database/check-ins.js';
import { clearActiveEvents } from '../database/event-log.js';
import { prepareQuery, preparedFor } from '../database/prepared-query.js';
import { isPostgres } from '../database/query-engine.js';
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
    insertEvent: prepareQuery<{ deviceId: string; type: string; seq: number; occurredAt: number; receivedAt: number; data: string; life: string; clearedAt: number | null }>((p) =>
      qb
        .insertInto('events')
        .values({ device_id: p('deviceId'), source: 'device', type: p('type'), device_seq: p('seq'), occurred_at: p('occurredAt'), received_at: p('receivedAt'), data: p('data'), report_id: null, life: p('life'), cleared_at: p('clearedAt'), ack: 'unacknowledged' })
        .onConflict((oc) => oc.columns(['device_id', 'device_seq']).doNothing()),
    ),
    /**
     * The check-in of a device that is present (the common case): presence
     * stays ok, the last check-in moves. Zero rows: the device was late,
     * missing or new, and the rules take over. Its deadline is left to
     * `pushDeadline` (docs/centre-database.md "Presence deadlines").
     */
    presentAgain: prepareQuery<{ deviceId: string; now: number }>((p) =>
      qb.updateTable('supervision_states').set({ last_check_in_at: p('now') }).where('device_id', '=', p('deviceId')).where('presence', '=', 'ok'),
    ),
    pushDeadline: prepareQuery<{ deviceId: string; now: number }>((p) =>
      qb
        .updateTable('supervision_states')
        .set({ next_check_at: sql<number>`${nextDeadline(sql`${p('now')}`)}` })
        .where('device_id', '=', p('deviceId'))
        .where(sql<boolean>`${pushDue(sql`${p('now')}`)}`),
    ),
    openCommands: openCommandsQuery(qb),
  }));
}

/** The multi-row statements of `storeCheckIns`, compiled once per number of rows. */
function batchStatements(qb: Kysely<Database>) {
  return preparedFor(qb, 'check-in-batch', () => ({
    readWindows: rowsStatement(qb, 'check-in-windows', 1, (rows) =>
      sql<{ device_id: string; highest: number; mask: string }>`select device_id, highest, cast(mask as text) as mask from supervision_states where device_id in (${sql.join(rows.map((r) => r[0]))})`),
    /**
     * Store the check-ins whose guessed window is still the stored one, each
     * linked to its device's newest check-in (`check-ins.ts`), before their
     * counters are taken: so the compare-and-set below can make each the new
     * head in the same write of the row. Returns the ids.
     */
    insertCheckIns: rowsStatement(qb, 'check-in-insert', 8, (rows) =>
      sql<{ id: number; device_id: string }>`${withValues('v', [['device_id', 'text'], ['received_at', 'bigint'], ['counter', 'bigint'], ['device_time_ms', 'bigint'], ['source', 'text'], ['status', 'text'], ['old_highest', 'bigint'], ['old_mask', 'text']], rows)}
        insert into check_ins (device_id, received_at, counter, device_time_ms, source, status, prev_id)
        select v.device_id, v.received_at, v.counter, v.device_time_ms, v.source, v.status, w.last_check_in_id from v
        join supervision_states w on w.device_id = v.device_id and w.highest = v.old_highest and cast(w.mask as text) = v.old_mask
        returning id, device_id`),
    /**
     * Take the counters and keep the presence, in one update of the device's
     * row (migration 0013): the compare-and-set of `replay-windows.ts` for
     * many devices, each row also getting its new head and, where the device
     * is present, its last check-in. Returns the devices whose window was
     * still the guessed one, and whether each was present (if not, the rules
     * take over: `superviseCheckIn`). Its deadline is `pushDeadlines`', run
     * before it. Not the deadline here on SQLite: it rewrites an index entry
     * for every column in a `set`, moved or not, and most check-ins do not
     * move it (`pushDue`).
     */
    takeCounters: rowsStatement(qb, 'check-in-cas', 7, (rows) =>
      sql<{ device_id: string; present: number | boolean }>`${withValues('v', [['device_id', 'text'], ['highest', 'bigint'], ['mask', 'bigint'], ['old_highest', 'bigint'], ['old_mask', 'text'], ['head', 'bigint'], ['now', 'bigint']], rows)}
        update supervision_states set highest = v.highest, mask = v.mask, last_check_in_id = v.head, last_check_in_at = ${presentAt(sql.ref('v.now'))} from v
        where ${guessHolds()}
        returning supervision_states.device_id, supervision_states.presence = 'ok' as present`),
    /**
     * `insertCheckIns`, `pushDeadlines` and `takeCounters` in one
     * statement, for PostgreSQL (one round trip instead of three): the
     * insert and the compare-and-set as data-modifying parts of one `with`,
     * the compare-and-set also keeping the presence and moving the deadline
     * where it is due. Every expression of a `set` sees the row as it was,
     * so the deadline is compared with the check-in before, as in separate
     * statements; where it does not move it is set to itself, which
     * PostgreSQL sees as unchanged (the index on it is not touched). A
     * window another process moved meanwhile fails the compare-and-set as in
     * separate statements (the update waits for that row and checks its
     * condition again on the newer row); its check-in is returned with `won`
     * false, to be deleted again.
     */
    insertAndTake: rowsStatement(qb, 'check-in-insert-take', 10, (rows) =>
      sql<{ id: number; device_id: string; won: boolean; present: boolean }>`${withValues('v', [['device_id', 'text'], ['received_at', 'bigint'], ['counter', 'bigint'], ['device_time_ms', 'bigint'], ['source', 'text'], ['status', 'text'], ['old_highest', 'bigint'], ['old_mask', 'text'], ['highest', 'bigint'], ['mask', 'bigint']], rows)},
        ins as (
          insert into check_ins (device_id, received_at, counter, device_time_ms, source, status, prev_id)
          select v.device_id, v.received_at, v.counter, v.device_time_ms, v.source, v.status, w.last_check_in_id from v
          join supervision_states w on w.device_id = v.device_id and w.highest = v.old_highest and cast(w.mask as text) = v.old_mask
          returning id, device_id),
        cas as (
          update supervision_states set highest = v.highest, mask = v.mask, last_check_in_id = ins.id, last_check_in_at = ${presentAt(sql.ref('v.received_at'))},
            next_check_at = case when ${pushDue(sql.ref('v.received_at'))} then ${nextDeadline(sql.ref('v.received_at'))} else supervision_states.next_check_at end
          from v join ins on ins.device_id = v.device_id
          where ${guessHolds()}
          returning supervision_states.device_id, supervision_states.presence = 'ok' as present)
        select ins.id, ins.device_id, cas.device_id is not null as won, coalesce(cas.present, false) as present from ins left join cas on cas.device_id = ins.device_id`),
    /** Check-ins stored whose counter another process took meanwhile (PostgreSQL only: SQLite has one writer): they go the one-by-one way. */
    dropCheckIns: rowsStatement(qb, 'check-in-drop', 1, (rows) => sql`delete from check_ins where id in (${sql.join(rows.map((r) => r[0]))})`),
    /**
     * `pushDeadline` for many devices whose guessed window holds (SQLite:
     * before `takeCounters`, as it compares with the check-in before; one
     * writer, so the guess holds for the compare-and-set after it too).
     */
    pushDeadlines: rowsStatement(qb, 'check-in-deadlines', 4, (rows) =>
      sql`${withValues('v', [['device_id', 'text'], ['now', 'bigint'], ['old_highest', 'bigint'], ['old_mask', 'text']], rows)}
        update supervision_states set next_check_at = ${nextDeadline(sql.ref('v.now'))} from v
        where ${guessHolds()} and ${pushDue(sql.ref('v.now'))}`),
    /** Events that mean nothing beyond themselves (`isPlainEvent`), each seq once; returns those that were new. */
    insertEvents: rowsStatement(qb, 'check-in-events', 8, (rows) =>
      sql<{ device_id: string }>`${withValues('v', [['device_id', 'text'], ['type', 'text'], ['device_seq', 'bigint'], ['occurred_at', 'bigint'], ['received_at', 'bigint'], ['data', 'text'], ['life', 'text'], ['cleared_at', 'bigint']], rows)}
        insert into events (device_id, source, type, device_seq, occurred_at, received_at, data, report_id, life, cleared_at, ack)
        select device_id, 'device', type, device_seq, occurred_at, received_at, data, null, life, cleared_at, 'unacknowledged' from v where true
        on conflict (device_id, device_seq) do nothing
        returning device_id`),
    openCommands: rowsStatement(qb, 'check-in-commands', 1, (rows) =>
      sql<{ device_id: string; command_id: number; type: string; fields: string }>`select device_id, command_id, type, fields from device_commands
        where device_id in (${sql.join(rows.map((r) => r[0]))}) and state in ('queued', 'delivered')
        order by device_id, command_id`),
  }));
}

/**
 * Whether a present device's check-in at `now` moves its deadline: only
 * when the time left until it is shorter than the time since the check-in
 * before — the next check-in at this pace might come after it. A device on
 * its normal schedule moves it with every check-in, as before; one checking
 * in many times within its interval (a burst after an outage) about once
 * per interval, not once per check-in. A deadline left behind is never later
 * than the real one, and the supervisor that finds it due judges the device
 * by its last check-in and moves it on, so every outcome stays the same
 * (docs/centre-database.md "Presence deadlines").
 */
function pushDue(now: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`supervision_states.presence = 'ok' and supervision_states.last_check_in_at is not null and supervision_states.next_check_at - ${now} < ${now} - supervision_states.last_check_in_at`;
}

/** The last check-in after one at `now`: now where the device is present; where it is not, the rules judge it (`superviseCheckIn`) and write it. */
function presentAt(now: RawBuilder<unknown>): RawBuilder<number | null> {
  return sql<number | null>`case when supervision_states.presence = 'ok' then ${now} else supervision_states.last_check_in_at end`;
}

/** The compare-and-set's condition: the device's row still holds the window the check-in was judged against (`v.old_highest`, `v.old_mask`). */
function guessHolds(): RawBuilder<boolean> {
  return sql<boolean>`supervision_states.device_id = v.device_id and supervision_states.highest = v.old_highest and cast(supervision_states.mask as text) = v.old_mask`;
}

/** The next deadline of a device present at `now`: the sooner of "late" (now + interval + grace, as `presenceDeadlines` in supervision-rules.ts) and the function test's. */
function nextDeadline(now: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(select case when supervision_states.test_due_at is not null and supervision_states.test_due_at < ${now} + d.check_in_interval_ms + d.grace_ms then supervision_states.test_due_at else ${now} + d.check_in_interval_ms + d.grace_ms end from devices d where d.id = supervision_states.device_id)`;
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
  yield* insertCheckIn(qb, { deviceId: id, receivedAt: now, counter: t.counter, deviceTimeMs: t.time * 1000, source: a.source, status });
  const events = t.body.events ?? [];
  let newEvents = 0;
  for (const e of events) if (yield* storeDeviceEvent(qb, id, e, now)) newEvents++;
  yield* query(q.pushDeadline({ deviceId: id, now }));
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

/** Rows per multi-row statement of `storeCheckIns` (a few distinct statement sizes for the engines' caches; far below either engine's parameter limit). */
export const ROWS_PER_STATEMENT = 128;

/**
 * The units of work of many check-ins in one transaction, with the same
 * outcomes as `storeCheckIn` one after the other, in fewer statements: the
 * common check-in — the first of its device in the batch, whose window
 * guess (the intake's, or read for all that have none in one select) says
 * it is fresh and on time — is stored in one multi-row insert (where the
 * guessed window is still the stored one), takes its counter in one
 * compare-and-set over all of them (`update … from (values …) returning`)
 * that also makes it the head of its device's history (`check-ins.ts`;
 * one lost to another process meanwhile is deleted again) — its events
 * are stored too, in one multi-row insert when none of them means more
 * than being stored (`isPlainEvent`) —, keeps its presence in the same
 * update of the device's row as the compare-and-set (migration 0013; its
 * deadline, where it moves, in one more before it on SQLite: `pushDue`),
 * and has its open commands read in one select. A check-in that lost the
 * compare-and-set (another process took a counter meanwhile), is a replay
 * or off in time, carries a function test, or is the second of its device
 * in the batch is handed to `storeCheckIn` in the same transaction, in
 * arrival order, and one whose device was not present to the rules
 * (`superviseCheckIn`), so the outcomes are exactly those of the one-by-one
 * path (test/intake/check-in-batch.test.ts). On PostgreSQL this also turns
 * ~6 round trips per check-in into a handful per batch, and there, where
 * each statement is a round trip, the insert, the compare-and-set, the
 * presence and the deadline are one statement (`insertAndTake`): per chunk
 * of check-ins without events two statements (that one, commands) where
 * SQLite runs four (insert, deadlines, counters and presence, commands;
 * docs/perf.md "Centre intake").
 */
export function* storeCheckIns(qb: Kysely<Database>, arrivals: readonly CheckInArrival[]): Work<CheckInOutcome[]> {
  const out: Array<CheckInOutcome | undefined> = new Array(arrivals.length);
  const seen = new Set<string>();
  const firsts: number[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    const id = arrivals[i].telegram.deviceId;
    if (seen.has(id)) continue;
    seen.add(id);
    firsts.push(i);
  }
  const b = batchStatements(qb);
  // No guess (first sight in this process): the windows are read in one select per chunk, not one each.
  const guesses = new Map<number, ReplayWindow>();
  for (const chunk of chunks(firsts.filter((i) => !arrivals[i].window))) {
    const { rows } = yield* query(b.readWindows(chunk.map((i) => [arrivals[i].telegram.deviceId])));
    const byId = new Map(rows.map((r) => [r.device_id, r]));
    for (const i of chunk) {
      const r = byId.get(arrivals[i].telegram.deviceId);
      const w = r && { highest: Number(r.highest), mask: BigInt(r.mask) };
      if (w && isReplayWindow(w)) guesses.set(i, w);
    }
  }
  const fast: Array<{ i: number; guess: ReplayWindow; next: ReplayWindow }> = [];
  for (const i of firsts) {
    const a = arrivals[i];
    const guess = a.window ?? guesses.get(i);
    // A function test changes the supervision state the compare-and-set below writes beside the window: one by one.
    if (!guess || a.telegram.body.events?.some(isFunctionTest)) continue;
    const j = judgeCheckIn(guess, a.telegram.counter, a.telegram.time, Math.floor(a.receivedAt / 1000));
    if (j.verdict === 'accept') fast.push({ i, guess, next: j.window });
  }
  const pg = isPostgres(qb);
  const won: Array<{ i: number; next: ReplayWindow }> = [];
  const present = new Set<string>();
  for (const chunk of chunks(fast)) {
    const rows = chunk.map(({ i, guess }): RowValue[] => {
      const a = arrivals[i];
      const status = a.telegram.body.status;
      return [a.telegram.deviceId, a.receivedAt, a.telegram.counter, a.telegram.time * 1000, a.source, status === undefined ? null : JSON.stringify(status), guess.highest, guess.mask.toString()];
    });
    const ids = new Map<string, number>();
    const ok = new Set<string>();
    if (pg) {
      const { rows: taken } = yield* query(b.insertAndTake(rows.map((r, k) => [...r, chunk[k].next.highest, chunk[k].next.mask.toString()])));
      for (const r of taken) {
        ids.set(r.device_id, Number(r.id));
        if (r.won) ok.add(r.device_id);
        if (r.present) present.add(r.device_id);
      }
    } else {
      const { rows: stored } = yield* query(b.insertCheckIns(rows));
      for (const r of stored) ids.set(r.device_id, Number(r.id));
      const taking = chunk.filter(({ i }) => ids.has(arrivals[i].telegram.deviceId));
      if (taking.length === 0) continue;
      yield* query(b.pushDeadlines(taking.map(({ i, guess }) => [arrivals[i].telegram.deviceId, arrivals[i].receivedAt, guess.highest, guess.mask.toString()])));
      const { rows: taken } = yield* query(
        b.takeCounters(taking.map(({ i, guess, next }) => [arrivals[i].telegram.deviceId, next.highest, next.mask.toString(), guess.highest, guess.mask.toString(), ids.get(arrivals[i].telegram.deviceId)!, arrivals[i].receivedAt])),
      );
      for (const r of taken) {
        ok.add(r.device_id);
        // SQLite returns the comparison as 0 or 1.
        if (r.present === 1 || r.present === true) present.add(r.device_id);
      }
    }
    const lost: RowValue[][] = [];
    for (const f of chunk) {
      const id = arrivals[f.i].telegram.deviceId;
      if (ok.has(id)) won.push(f);
      else if (ids.has(id)) lost.push([ids.get(id)!]);
    }
    if (lost.length > 0) yield* query(b.dropCheckIns(lost));
  }
  // Events: those of check-ins whose events all mean nothing beyond themselves in multi-row inserts; the others one by one, in order, with what they mean.
  const newEvents = new Map<number, number>();
  const plain: RowValue[][] = [];
  for (const { i } of won) {
    const a = arrivals[i];
    const events = a.telegram.body.events ?? [];
    if (events.every(isPlainEvent)) {
      for (const e of events) plain.push(eventRow(a.telegram.deviceId, e, a.receivedAt));
      continue;
    }
    let n = 0;
    for (const e of events) if (yield* storeDeviceEvent(qb, a.telegram.deviceId, e, a.receivedAt)) n++;
    newEvents.set(i, n);
  }
  const newOf = new Map<string, number>();
  for (const chunk of chunks(plain)) {
    const { rows } = yield* query(b.insertEvents(chunk));
    for (const r of rows) newOf.set(r.device_id, (newOf.get(r.device_id) ?? 0) + 1);
  }
  for (const { i } of won) if (!newEvents.has(i)) newEvents.set(i, newOf.get(arrivals[i].telegram.deviceId) ?? 0);
  const open = new Map<string, CommandEnvelope[]>();
  for (const chunk of chunks(won)) {
    const { rows } = yield* query(b.openCommands(chunk.map(({ i }) => [arrivals[i].telegram.deviceId])));
    for (const r of rows) {
      const list = open.get(r.device_id) ?? [];
      if (list.length < MAX_COMMANDS_PER_ACK) list.push(envelopeOf(r));
      open.set(r.device_id, list);
    }
  }
  for (const { i, next } of won) {
    const a = arrivals[i];
    const id = a.telegram.deviceId;
    let n = newEvents.get(i) ?? 0;
    if (!present.has(id)) {
      n += yield* superviseCheckIn(qb, id, a.receivedAt);
      yield* clearActiveEvents(qb, id, REJECTED_EVENT, a.receivedAt);
    } else if (a.endsRejects) {
      yield* clearActiveEvents(qb, id, REJECTED_EVENT, a.receivedAt);
    }
    const nowS = Math.floor(a.receivedAt / 1000);
    const accepted = (a.telegram.body.events ?? []).map((e) => e.seq);
    const commands = fitCommands(id, a.telegram.counter, nowS, accepted, open.get(id) ?? []);
    yield* markDelivered(qb, id, commands.map((c) => c.id), a.receivedAt);
    out[i] = { verdict: 'accept', window: next, accepted, commands, newEvents: n };
  }
  for (let i = 0; i < arrivals.length; i++) if (out[i] === undefined) out[i] = yield* storeCheckIn(qb, arrivals[i]);
  return out as CheckInOutcome[];
}

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < list.length; k += ROWS_PER_STATEMENT) out.push(list.slice(k, k + ROWS_PER_STATEMENT));
  return out;
}

/**
 * An event whose storing is all it means: it ends no condition, answers no
 * command and is no function test (`storeDeviceEvent`'s other steps), so a
 * batch may insert it beside others without changing what happens.
 */
function isPlainEvent(e: DeviceEvent): boolean {
  return clearedBy(e.type).length === 0 && e.type !== 'command' && !isFunctionTest(e);
}

/** An event's row as `insertEvents` takes it. */
function eventRow(deviceId: string, e: DeviceEvent, now: number): RowValue[] {
  const { seq, time, type, ...fields } = e;
  const life = deviceEventLife(e);
  return [deviceId, type, seq, time * 1000, now, JSON.stringify(fields), life, life === 'cleared' ? now : null];
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
