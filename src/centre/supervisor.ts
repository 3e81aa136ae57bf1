import { EMPTY_REPLAY_WINDOW } from '../../core/replay-window.js';
import { sql, type Kysely } from 'kysely';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { deviceOf } from '../database/device-registry.js';
import type { EventBus } from '../database/event-bus.js';
import type { Database } from '../database/schema.js';
import { stateOf } from '../database/supervision-states.js';
import { query, type Work } from '../database/work.js';
import { silentLogger, type Logger } from '../logger.js';
import { evaluate } from './supervision-rules.js';
import { applySupervision, EVENTS_TOPIC } from './supervision-store.js';

/** How often the supervisor looks for devices whose deadline passed. */
export const SUPERVISION_STEP_MS = 1_000;
/** Devices evaluated per transaction; a step with more due goes on at once with the next slice. */
export const SUPERVISION_SLICE = 1_000;

export interface SupervisorStats {
  steps: number;
  evaluated: number;
  events: number;
  /** Duration of the last step, ms (wall clock, for the benchmark and logs). */
  lastStepMs: number;
}

export interface SupervisorOptions {
  db: CentreDatabase;
  clock: Clock;
  bus?: EventBus;
  logger?: Logger;
  stepMs?: number;
  slice?: number;
}

/**
 * Supervision of the fleet (spec §5.3), incremental: every device's next
 * deadline is in the database (`supervision_states.next_check_at`, indexed),
 * so a step reads only the devices whose deadline has passed, never the
 * whole fleet. The intake moves a present device's deadline on when it
 * checks in on its schedule; in a burst it leaves it (check-in-store.ts
 * `pushDue`), and the step that finds it due judges the device by its last
 * check-in — no change, no event — and moves the deadline on, so late and
 * missing come exactly when the last check-in says. Each due device is judged by the pure rules
 * (supervision-rules.ts); a change of state and its events commit
 * together. On PostgreSQL due rows are taken `for update skip locked`, so
 * supervisors in several processes share the work without judging a device
 * twice.
 */
export class Supervisor {
  readonly stats: SupervisorStats = { steps: 0, evaluated: 0, events: 0, lastStepMs: 0 };
  readonly #o: SupervisorOptions;
  readonly #log: Logger;
  #timer: TimerHandle | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'supervisor' });
  }

  /** Adopt devices that have no supervision state yet (registered by an older version), then step every interval. */
  async start(): Promise<void> {
    const qb = this.#o.db.kysely;
    const now = this.#o.clock.now();
    await this.#o.db.run(() => adoptDevices(qb, now));
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One step at the clock's now: every due device judged (in slices); returns how many were judged. */
  async step(): Promise<number> {
    if (this.#running) return this.#running;
    this.#running = this.#step().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #step(): Promise<number> {
    const started = performance.now();
    const now = this.#o.clock.now();
    const db = this.#o.db;
    const slice = this.#o.slice ?? SUPERVISION_SLICE;
    let judged = 0;
    let events = 0;
    for (;;) {
      const r = await db.run(() => superviseDue(db.kysely, db.engine === 'postgres', now, slice));
      judged += r.judged;
      events += r.events;
      if (r.judged < slice) break;
    }
    this.stats.steps++;
    this.stats.evaluated += judged;
    this.stats.events += events;
    this.stats.lastStepMs = performance.now() - started;
    if (events > 0) {
      this.#log.info({ judged, events }, 'supervision changed state');
      this.#o.bus?.publish({ topic: EVENTS_TOPIC }).catch((err: Error) => this.#log.warn({ err: err.message }, 'live event not sent'));
    }
    return judged;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(ms, () => {
      this.#timer = undefined;
      this.step().then(
        () => this.#schedule(this.#o.stepMs ?? SUPERVISION_STEP_MS),
        (err: Error) => {
          this.#log.error({ err: err.message }, 'supervision step failed; trying again');
          this.#schedule(this.#o.stepMs ?? SUPERVISION_STEP_MS);
        },
      );
    });
  }
}

/** Part of a unit of work: judge up to `limit` devices whose deadline is due at `now`. */
export function* superviseDue(qb: Kysely<Database>, lock: boolean, now: number, limit: number): Work<{ judged: number; events: number }> {
  let due = qb.selectFrom('supervision_states').selectAll().where('next_check_at', '<=', now).orderBy('next_check_at').limit(limit);
  if (lock) due = due.forUpdate().skipLocked();
  const { rows } = yield* query(due);
  if (rows.length === 0) return { judged: 0, events: 0 };
  const devices = new Map((yield* query(qb.selectFrom('devices').selectAll().where('id', 'in', rows.map((r) => r.device_id)))).rows.map((d) => [d.id, deviceOf(d)]));
  let events = 0;
  for (const row of rows) {
    const device = devices.get(row.device_id);
    if (!device) {
      // Removed while due (the registry deletes its state too; this is a row left by an older version).
      yield* query(qb.deleteFrom('supervision_states').where('device_id', '=', row.device_id));
      continue;
    }
    events += yield* applySupervision(qb, evaluate(device, stateOf(row), now), now);
  }
  return { judged: rows.length, events };
}

/** Part of a unit of work: a supervision state, due now, for every device that has none. */
export function* adoptDevices(qb: Kysely<Database>, now: number): Work<void> {
  yield* query(
    qb
      .insertInto('supervision_states')
      .columns(['device_id', 'presence', 'presence_since', 'test', 'test_since', 'last_check_in_at', 'last_function_test_at', 'test_due_at', 'next_check_at', 'highest', 'mask'])
      .expression((eb) =>
        eb
          .selectFrom('devices')
          .select([
            'devices.id',
            eb.val('unknown').as('presence'),
            sql<number>`cast(${now} as bigint)`.as('presence_since'),
            eb.val('unknown').as('test'),
            sql<number>`cast(${now} as bigint)`.as('test_since'),
            sql<null>`cast(null as bigint)`.as('last_check_in_at'),
            sql<null>`cast(null as bigint)`.as('last_function_test_at'),
            sql<null>`cast(null as bigint)`.as('test_due_at'),
            sql<number>`cast(${now} as bigint)`.as('next_check_at'),
            // The device's row holds its replay window too (migration 0013): an empty one, as at registration.
            sql<number>`cast(${EMPTY_REPLAY_WINDOW.highest} as bigint)`.as('highest'),
            sql<string>`cast(${EMPTY_REPLAY_WINDOW.mask.toString()} as bigint)`.as('mask'),
          ])
          .where((w) => w.not(w.exists(w.selectFrom('supervision_states').select('supervision_states.device_id').whereRef('supervision_states.device_id', '=', 'devices.id')))),
      ),
  );
}
