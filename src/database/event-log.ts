import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { DeviceEvent } from '../../core/check-in-body.js';
import type { CentreDatabase } from './centre-database.js';
import { prepareQuery, preparedFor } from './prepared-query.js';
import type { Database, EventAck, EventLife, EventSource, EventsTable } from './schema.js';
import { isPostgres } from './query-engine.js';
import { rowsStatement, type RowValue } from './values-rows.js';
import { affected, insertedId, query, type Work } from './work.js';

/**
 * Events and their life (spec §5.3). Two independent states, each moving
 * one way only:
 *
 * ```
 *   life:  active ──clear──▶ cleared
 *   ack:   unacknowledged ──acknowledge (who, when)──▶ acknowledged
 * ```
 *
 * so an event is one of active/cleared × unacknowledged/acknowledged. Each
 * move is one conditional update (`where life = 'active'`), the checked
 * transition: a second acknowledgement, or one racing from another portal
 * process, changes nothing and is told so.
 */
export interface NewEvent {
  deviceId: string;
  source: EventSource;
  type: string;
  occurredAt: number;
  receivedAt: number;
  data?: Record<string, unknown>;
  reportId?: number;
  /** The device's own sequence number, for device events. */
  deviceSeq?: number;
  /** Events that only inform (key taken) may be born cleared; conditions (missing, tamper) start active. */
  life?: EventLife;
}

export interface CentreEvent {
  id: number;
  deviceId: string;
  source: EventSource;
  type: string;
  deviceSeq: number | null;
  occurredAt: number;
  receivedAt: number;
  data: Record<string, unknown>;
  reportId: number | null;
  life: EventLife;
  clearedAt: number | null;
  ack: EventAck;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface EventComment {
  id: number;
  eventId: number;
  at: number;
  author: string;
  text: string;
}

export interface EventFilter {
  deviceId?: string;
  life?: EventLife;
  ack?: EventAck;
  type?: string;
  /** Only events with an id above this (for paging and for catching up after a live notification). */
  afterId?: number;
  limit?: number;
}

export class EventLogError extends Error {
  override name = 'EventLogError';
}

/**
 * Part of a unit of work: store one event; returns its id. On SQLite the id
 * is the connection's last insert rowid: an insert with `returning` costs
 * SQLite about a fifth more (it collects the returned rows apart), and a
 * centre stores one to a few events per report.
 */
export function* insertEvent(qb: Kysely<Database>, e: NewEvent): Work<number> {
  return yield* insertEventRow(qb, eventRow(e));
}

/** `insertEvent` of a row already built (`insertEvents` builds each once). */
function* insertEventRow(qb: Kysely<Database>, row: EventRow): Work<number> {
  const q = insertEventQueries(qb);
  if (!isPostgres(qb)) return insertedId(yield* query(q.plain(row)));
  const { rows } = yield* query(q.returning(row));
  return Number(rows[0].id);
}

/**
 * Part of a unit of work: store several events; returns their ids in the
 * order given. On PostgreSQL, where each statement is a round trip, events
 * that differ in time, type or data go in one multi-row insert (a report's
 * errors: one round trip instead of one per error); its rows come back in no
 * promised order, so each comes back with its time, type and data and is
 * matched by them. On SQLite, and for events alike in all three, they are
 * stored one by one: a multi-row insert needs `returning` for the ids, and
 * on SQLite one insert of two rows with it cost as much as two inserts of
 * one row without it (docs/perf.md "Seventh session: a report's cost").
 */
export function* insertEvents(qb: Kysely<Database>, events: readonly NewEvent[]): Work<number[]> {
  const rows = events.map(eventRow);
  const keys = isPostgres(qb) && rows.length >= 2 ? rows.map((r) => eventKey(r.occurred_at, r.type, r.data)) : [];
  if (keys.length === 0 || new Set(keys).size !== keys.length) {
    const ids: number[] = [];
    for (const row of rows) ids.push(yield* insertEventRow(qb, row));
    return ids;
  }
  const { rows: back } = yield* query(insertEventsQuery(qb)(rows.map((r) => EVENT_COLUMNS.map((c) => r[c]))));
  const ids = new Map(back.map((b) => [eventKey(Number(b.occurred_at), b.type, b.data), Number(b.id)]));
  return keys.map((k) => {
    const id = ids.get(k);
    if (id === undefined) throw new Error('an event of a multi-row insert did not come back');
    return id;
  });
}

/** What tells the events of one `insertEvents` apart. */
function eventKey(occurredAt: number, type: string, data: string): string {
  return `${occurredAt}\u0000${type}\u0000${data}`;
}

type EventRow = ReturnType<typeof eventRow>;

/** The columns an event is inserted with, in the order of `insertEventsQuery`'s values. */
const EVENT_COLUMNS = ['device_id', 'source', 'type', 'device_seq', 'occurred_at', 'received_at', 'data', 'report_id', 'life', 'cleared_at', 'ack'] as const satisfies ReadonlyArray<keyof EventRow>;

/** The multi-row insert of `insertEvents`, compiled once per number of rows and database. */
function insertEventsQuery(qb: Kysely<Database>): (rows: ReadonlyArray<ReadonlyArray<RowValue>>) => CompiledQuery<{ id: number; occurred_at: number; type: string; data: string }> {
  return rowsStatement(qb, 'insert-events', EVENT_COLUMNS.length, (rows) =>
    sql<{ id: number; occurred_at: number; type: string; data: string }>`insert into events (${sql.join(EVENT_COLUMNS.map((c) => sql.id(c)))}) values ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))} returning id, occurred_at, type, data`,
  );
}

/**
 * The insert of `insertEvent`, with and without `returning id`, compiled
 * once per database: every report the centre stores inserts an event per
 * error, and Kysely's builder cost more than SQLite takes to run the insert
 * (a fleet benchmark stores 100,000s).
 */
function insertEventQueries(qb: Kysely<Database>): { plain: (row: EventRow) => CompiledQuery<unknown>; returning: (row: EventRow) => CompiledQuery<{ id: number }> } {
  return preparedFor(qb, 'insert-event', () => {
    const insert = (p: (name: keyof EventRow & string) => never) => {
      const row = {} as Record<keyof EventRow, never>;
      for (const c of EVENT_COLUMNS) row[c] = p(c);
      return qb.insertInto('events').values(row);
    };
    return { plain: prepareQuery<EventRow>((p) => insert(p)), returning: prepareQuery<EventRow, { id: number }>((p) => insert(p).returning('id')) };
  });
}

/**
 * Part of a unit of work (the intake's batch): store a check-in's events.
 * A seq the device sent before is stored once (the unique (device, seq)
 * index); every seq given is stored when this commits, so all of them go
 * into the ack's `accepted` list. Returns the seqs that were new.
 */
export function* insertDeviceEvents(qb: Kysely<Database>, deviceId: string, events: readonly DeviceEvent[], receivedAt: number): Work<number[]> {
  const fresh: number[] = [];
  for (const ev of events) {
    const { seq, time, type, ...fields } = ev;
    const ins = yield* query(
      qb
        .insertInto('events')
        .values(eventRow({ deviceId, source: 'device', type, deviceSeq: seq, occurredAt: time * 1000, receivedAt, data: fields }))
        .onConflict((oc) => oc.columns(['device_id', 'device_seq']).doNothing()),
    );
    if (affected(ins) === 1) fresh.push(seq);
  }
  return fresh;
}

/** Part of a unit of work: clear the device's active events of `type` (a missing device checked in again). Returns how many. */
export function* clearActiveEvents(qb: Kysely<Database>, deviceId: string, type: string, at: number): Work<number> {
  const upd = yield* query(qb.updateTable('events').set({ life: 'cleared', cleared_at: at }).where('device_id', '=', deviceId).where('type', '=', type).where('life', '=', 'active'));
  return affected(upd);
}

/** The event log: what happened, its life, and what people said about it. */
export class EventLog {
  constructor(readonly db: CentreDatabase) {}

  add(e: NewEvent): Promise<number> {
    return this.db.run(() => insertEvent(this.db.kysely, e));
  }

  async get(id: number): Promise<CentreEvent | undefined> {
    const row = await this.db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && eventOf(row);
  }

  /** Newest first. */
  async list(f: EventFilter = {}): Promise<CentreEvent[]> {
    let q = this.db.kysely.selectFrom('events').selectAll().orderBy('id', 'desc').limit(f.limit ?? 1000);
    if (f.deviceId !== undefined) q = q.where('device_id', '=', f.deviceId);
    if (f.life !== undefined) q = q.where('life', '=', f.life);
    if (f.ack !== undefined) q = q.where('ack', '=', f.ack);
    if (f.type !== undefined) q = q.where('type', '=', f.type);
    if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
    return (await q.execute()).map(eventOf);
  }

  /** active → cleared; throws EventLogError for an unknown or already cleared event. */
  async clear(id: number, at: number): Promise<void> {
    const qb = this.db.kysely;
    const n = await this.db.run(function* () {
      return affected(yield* query(qb.updateTable('events').set({ life: 'cleared', cleared_at: at }).where('id', '=', id).where('life', '=', 'active')));
    });
    if (n === 0) throw new EventLogError((await this.get(id)) ? `event ${id} is already cleared` : `no event ${id}`);
  }

  /** unacknowledged → acknowledged by `by`; throws EventLogError for an unknown or already acknowledged event. */
  async acknowledge(id: number, by: string, at: number): Promise<void> {
    const qb = this.db.kysely;
    const n = await this.db.run(function* () {
      return affected(yield* query(qb.updateTable('events').set({ ack: 'acknowledged', acknowledged_at: at, acknowledged_by: by }).where('id', '=', id).where('ack', '=', 'unacknowledged')));
    });
    if (n === 0) {
      const e = await this.get(id);
      throw new EventLogError(e ? `event ${id} was already acknowledged by ${e.acknowledgedBy} at ${new Date(e.acknowledgedAt ?? 0).toISOString()}` : `no event ${id}`);
    }
  }

  async comment(eventId: number, author: string, text: string, at: number): Promise<number> {
    if (text.trim() === '') throw new EventLogError('a comment needs text');
    if (text.length > 4000) throw new EventLogError('a comment is at most 4000 characters');
    if (!(await this.get(eventId))) throw new EventLogError(`no event ${eventId}`);
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const { rows } = yield* query(qb.insertInto('event_comments').values({ event_id: eventId, at, author, text }).returning('id'));
      return Number(rows[0].id);
    });
  }

  /** Oldest first. */
  async comments(eventId: number): Promise<EventComment[]> {
    const rows = await this.db.kysely.selectFrom('event_comments').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), eventId: Number(r.event_id), at: Number(r.at), author: r.author, text: r.text }));
  }
}

function eventRow(e: NewEvent) {
  return {
    device_id: e.deviceId,
    source: e.source,
    type: e.type,
    device_seq: e.deviceSeq ?? null,
    occurred_at: e.occurredAt,
    received_at: e.receivedAt,
    data: JSON.stringify(e.data ?? {}),
    report_id: e.reportId ?? null,
    life: e.life ?? 'active',
    cleared_at: e.life === 'cleared' ? e.receivedAt : null,
    ack: 'unacknowledged' as const,
  };
}

/** An event row as the API shows it. */
export function eventOf(r: Selectable<EventsTable>): CentreEvent {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    source: r.source,
    type: r.type,
    deviceSeq: n(r.device_seq),
    occurredAt: Number(r.occurred_at),
    receivedAt: Number(r.received_at),
    data: JSON.parse(r.data) as Record<string, unknown>,
    reportId: n(r.report_id),
    life: r.life,
    clearedAt: n(r.cleared_at),
    ack: r.ack,
    acknowledgedAt: n(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
  };
}
