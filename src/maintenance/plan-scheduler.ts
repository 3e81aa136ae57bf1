import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { RESYNC_TOPIC, type EventBus } from '../database/event-bus.js';
import type { MaintenanceRecords, PlanRecord } from '../database/maintenance-records.js';
import { MAINTENANCE_SCHEDULE_TOPIC, type MaintenanceWindows, type WindowKey } from '../database/maintenance-windows.js';
import { silentLogger, type Logger } from '../logger.js';
import { nextWindow, planWindow, windowIn, zoneGroups, type WindowSpan } from './maintenance-plan.js';
import { MaintenanceRunner, type DeviceVisitor, type RunnerOptions, type WindowSummary } from './maintenance-runner.js';

/**
 * How long a claim on a window holds without renewal: a centre killed in a
 * window leaves it to a restarted (or second) centre after at most this
 * long. Renewed every third of it, so a busy event loop does not lose it.
 */
export const WINDOW_LEASE_MS = 60_000;
/** How often the plans are read again without being told (a lost NOTIFY, a clock jump). */
export const SCHEDULE_RELOAD_MS = 60_000;
/** At most this many missed windows per plan and time zone are recorded when the scheduler starts after a long time down; the log says how many more. */
export const MISSED_RECORD_LIMIT = 31;
/**
 * The longest single wait on the clock: a window a year ahead is waited for
 * in steps, because Node's timers take at most 2^31-1 ms (24.8 days) and fire
 * at once for anything longer.
 */
export const MAX_TIMER_MS = 24 * 3600_000;

export interface PlanSchedulerOptions {
  clock: Clock;
  records: MaintenanceRecords;
  windows: MaintenanceWindows;
  /** The visitor for one window's devices: their access and LAN state are read when the window opens. */
  visitorFor(devices: readonly string[]): Promise<DeviceVisitor>;
  /** The centre's modems for visits: at most this many modem visits of one window at once. */
  modems: number;
  /** Change notices: a plan or a device changed in another process (MAINTENANCE_SCHEDULE_TOPIC, or a resync). */
  bus?: EventBus;
  /** This process's name in the window ledger (default a random UUID: every start is a new owner). */
  owner?: string;
  leaseMs?: number;
  reloadMs?: number;
  /** The runner's back-offs and budgets (tests shorten them). */
  runner?: Pick<RunnerOptions, 'retryBackoffMs' | 'busyRetryMs' | 'budgets'>;
  logger?: Logger;
  /** Told when a window ends with what it achieved (the CLI prints it). */
  onWindowEnd?(plan: PlanRecord, timeZone: string, summary: WindowSummary): void;
}

/**
 * Where one plan stands in one time zone:
 *
 * ```
 *   waiting ──(its start comes)──▶ claiming ──(claimed)──▶ running ──(end / all done)──▶ waiting (next window)
 *                                     │  ▲                   │
 *                                     │  └──(lease ran out)──┤ held (another centre runs it)
 *                                     └──(held, ended, missed)──▶ waiting (next window, or again at the lease's end)
 * ```
 */
export type SlotState = 'waiting' | 'claiming' | 'held' | 'running';

const SLOT_TRANSITIONS: Readonly<Record<SlotState, readonly SlotState[]>> = {
  waiting: ['claiming'],
  claiming: ['running', 'held', 'waiting'],
  held: ['claiming', 'waiting'],
  running: ['waiting'],
};

interface Slot {
  key: string;
  plan: PlanRecord;
  timeZone: string;
  state: SlotState;
  window?: WindowSpan;
  timer?: TimerHandle;
  abort?: AbortController;
  done?: Promise<void>;
  /** Removed from the schedule: nothing more is scheduled for it. */
  dropped: boolean;
}

/** What the scheduler has scheduled: per plan and time zone, the window it waits for or runs. */
export interface ScheduledWindow {
  plan: string;
  timeZone: string;
  state: SlotState;
  window?: WindowSpan;
}

/**
 * The scheduler inside `centre serve` (issue 13, docs/maintenance-plans.md):
 * for every plan in the database and every time zone its devices are in,
 * it waits for the next window croner names (the plan's cron, weekdays and
 * holiday dates read in that zone), claims the window in the database so no
 * other centre runs it too, and runs the plan's runner in it for the
 * devices of that zone. Plans and devices changed by another process are
 * noticed by the bus (NOTIFY on PostgreSQL, the file's change counter on
 * SQLite) and a periodic look. A window that passed while no centre ran is
 * recorded as missed, never run late; one still open when the centre comes
 * back is taken up where its visits stand (the runner's resume). All time
 * is the injected clock's, so a week of nights runs in virtual time.
 */
export class PlanScheduler {
  readonly #o: PlanSchedulerOptions;
  readonly #log: Logger;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #slots = new Map<string, Slot>();
  readonly #runners = new Set<MaintenanceRunner>();
  #working = 0;
  #stopped = false;
  #fingerprint = '';
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  #poll: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: PlanSchedulerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'maintenance-scheduler' });
    this.#owner = options.owner ?? randomUUID();
    this.#leaseMs = options.leaseMs ?? WINDOW_LEASE_MS;
  }

  /** Work in progress that is not waiting on the clock (database queries, visits): a virtual-time driver advances only at 0. */
  get working(): number {
    let n = this.#working;
    for (const r of this.#runners) n += r.working;
    return n;
  }

  get owner(): string {
    return this.#owner;
  }

  /** Read the plans, schedule their windows, and listen for changes. */
  async start(): Promise<void> {
    await this.reload();
    this.#unsubscribe = this.#o.bus?.subscribe((m) => {
      if (m.topic === MAINTENANCE_SCHEDULE_TOPIC || m.topic === RESYNC_TOPIC) void this.reload(m.topic === MAINTENANCE_SCHEDULE_TOPIC);
    });
    this.#schedulePoll();
  }

  #schedulePoll(): void {
    if (this.#stopped) return;
    this.#poll = this.#o.clock.setTimer(this.#o.reloadMs ?? SCHEDULE_RELOAD_MS, () => {
      void this.reload().finally(() => this.#schedulePoll());
    });
  }

  /**
   * Read the plans again when what they depend on changed (or `force`):
   * new plans and time zones get their windows, removed ones lose theirs —
   * a removed plan's running window stops before its visits' next step.
   * Calls while one runs are folded into one more.
   */
  reload(force = false): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#reloading) {
      this.#reloadAgain ||= force;
      return this.#reloading;
    }
    this.#working++;
    this.#reloading = this.#reload(force)
      .catch((err: Error) => this.#log.error({ err: err.message }, 'could not read the maintenance plans; trying again at the next look'))
      .finally(() => {
        this.#working--;
        this.#reloading = undefined;
        if (this.#reloadAgain) {
          this.#reloadAgain = false;
          void this.reload(true);
        }
      });
    return this.#reloading;
  }

  async #reload(force: boolean): Promise<void> {
    const records = this.#o.records;
    const fingerprint = await records.scheduleFingerprint();
    if (!force && fingerprint === this.#fingerprint) return;
    this.#fingerprint = fingerprint;
    const plans = await records.listPlans();
    const wanted = new Map<string, { plan: PlanRecord; timeZone: string }>();
    for (const plan of plans) {
      const devices = await records.devicesOf(plan.selection);
      const zones = zoneGroups(plan.timeZone, devices, await records.timeZonesOf(devices));
      for (const timeZone of zones.keys()) wanted.set(slotKey(plan, timeZone), { plan, timeZone });
    }
    if (this.#stopped) return;
    for (const slot of [...this.#slots.values()]) {
      if (wanted.has(slot.key)) continue;
      this.#drop(slot, plans.some((p) => p.id === slot.plan.id) ? undefined : 'the plan was removed');
    }
    for (const [key, w] of wanted) {
      if (this.#slots.has(key)) continue;
      const slot: Slot = { key, plan: w.plan, timeZone: w.timeZone, state: 'waiting', dropped: false };
      this.#slots.set(key, slot);
      await this.#recordMissed(slot);
      this.#scheduleNext(slot, this.#o.clock.now());
    }
  }

  /** Take a plan and zone off the schedule; a running window of a removed plan stops (`reason`), one of a zone left empty runs on to its end. */
  #drop(slot: Slot, reason: string | undefined): void {
    slot.dropped = true;
    slot.timer?.cancel();
    this.#slots.delete(slot.key);
    if (slot.state === 'running' && reason) slot.abort?.abort(reason);
    this.#log.info({ plan: slot.plan.name, timeZone: slot.timeZone, reason: reason ?? 'no device of the plan is in this time zone any more' }, 'maintenance windows no longer scheduled');
  }

  /**
   * The windows that passed since the last one in the ledger (or since the
   * plan was made) without a centre running them: recorded as missed, not
   * run — a night's work done in the morning would meet the people the
   * window keeps it away from.
   */
  async #recordMissed(slot: Slot): Promise<void> {
    const now = this.#o.clock.now();
    const [last] = await this.#o.windows.of(slot.plan.id, slot.timeZone, 1);
    const window = windowIn(planWindow(slot.plan), slot.timeZone);
    let from = Math.max(slot.plan.createdAt, last?.end ?? 0);
    const missed: WindowSpan[] = [];
    for (let w = nextWindow(window, from); w && w.end <= now; w = nextWindow(window, from)) {
      if (w.start >= from) missed.push(w);
      from = w.end;
    }
    for (const w of missed.slice(-MISSED_RECORD_LIMIT)) {
      if (await this.#o.windows.recordMissed({ ...this.#keyOf(slot, w), planName: slot.plan.name }, now)) {
        this.#log.warn({ plan: slot.plan.name, timeZone: slot.timeZone, start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() }, 'maintenance window missed while no centre ran: recorded, not run late');
      }
    }
    if (missed.length > MISSED_RECORD_LIMIT) this.#log.warn({ plan: slot.plan.name, timeZone: slot.timeZone, unrecorded: missed.length - MISSED_RECORD_LIMIT }, 'more maintenance windows were missed than are recorded');
  }

  #keyOf(slot: Slot, w: WindowSpan): WindowKey {
    return { planId: slot.plan.id, timeZone: slot.timeZone, start: w.start, end: w.end };
  }

  #transition(slot: Slot, to: SlotState): void {
    if (!SLOT_TRANSITIONS[slot.state].includes(to)) throw new Error(`maintenance slot ${slot.key}: no transition ${slot.state} → ${to}`);
    slot.state = to;
  }

  /** Wait for the window open at `from` or the next one; none left: the slot stays, idle, until the plan changes. */
  #scheduleNext(slot: Slot, from: number): void {
    if (slot.dropped || this.#stopped) return;
    const w = nextWindow(windowIn(planWindow(slot.plan), slot.timeZone), from);
    slot.window = w;
    if (!w) {
      this.#log.info({ plan: slot.plan.name, timeZone: slot.timeZone }, 'the plan has no window left');
      return;
    }
    this.#log.info({ plan: slot.plan.name, timeZone: slot.timeZone, start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() }, 'next maintenance window');
    this.#at(slot, w.start, () => this.#open(slot, w));
  }

  /** Call `fn` at `time`, in steps of at most MAX_TIMER_MS; the slot's timer is the pending step. */
  #at(slot: Slot, time: number, fn: () => void): void {
    const delay = time - this.#o.clock.now();
    slot.timer = this.#o.clock.setTimer(Math.min(delay, MAX_TIMER_MS), () => {
      if (this.#o.clock.now() < time) this.#at(slot, time, fn);
      else fn();
    });
  }

  /** The window's start came (or the lease of its other owner ran out): claim it, and run it if claimed. */
  #open(slot: Slot, w: WindowSpan): void {
    if (slot.dropped || this.#stopped) return;
    this.#transition(slot, 'claiming');
    this.#working++;
    const key = this.#keyOf(slot, w);
    const done = this.#o.windows.claim(key, this.#owner, this.#o.clock.now(), this.#leaseMs).finally(() => this.#working--).then(async (claim) => {
      if (claim.claimed) return this.#busy(() => this.#run(slot, w, key));
      const now = this.#o.clock.now();
      if (claim.state === 'running' && claim.leaseUntil < w.end) {
        // Another centre runs it: look again when its lease would run out, in case that centre died.
        this.#transition(slot, 'held');
        this.#log.info({ plan: slot.plan.name, timeZone: slot.timeZone, owner: claim.owner }, 'maintenance window run by another centre');
        this.#at(slot, Math.max(now, claim.leaseUntil + 1), () => {
          if (slot.dropped || this.#stopped) return;
          this.#transition(slot, 'waiting');
          this.#open(slot, w);
        });
        return;
      }
      this.#transition(slot, 'waiting');
      this.#scheduleNext(slot, w.end);
    }).catch((err: Error) => {
      this.#log.error({ err: err.message, plan: slot.plan.name }, 'maintenance window could not be claimed');
      if (slot.state !== 'waiting') this.#transition(slot, 'waiting');
      this.#scheduleNext(slot, Math.min(w.end, this.#o.clock.now() + this.#leaseMs));
    });
    slot.done = done;
  }

  async #run(slot: Slot, w: WindowSpan, key: WindowKey): Promise<void> {
    this.#transition(slot, 'running');
    const abort = new AbortController();
    slot.abort = abort;
    const records = this.#o.records;
    let renewal: TimerHandle | undefined;
    const renew = () => {
      renewal = this.#o.clock.setTimer(this.#leaseMs / 3, () => {
        this.#working++;
        void this.#o.windows.renew(key, this.#owner, this.#o.clock.now(), this.#leaseMs).then((held) => {
          if (held) renew();
          else {
            this.#log.error({ plan: slot.plan.name, timeZone: slot.timeZone }, 'another centre took this maintenance window over: stopping its visits here');
            abort.abort('another centre took the window over');
          }
        }, (err: Error) => {
          this.#log.warn({ err: err.message }, 'could not renew the maintenance window\'s lease; trying again');
          renew();
        }).finally(() => this.#working--);
      });
    };
    renew();
    let runner: MaintenanceRunner | undefined;
    try {
      // The devices of this zone as they are now: one added to the customer since the last look is visited too.
      const all = await records.devicesOf(slot.plan.selection);
      const devices = zoneGroups(slot.plan.timeZone, all, await records.timeZonesOf(all)).get(slot.timeZone) ?? [];
      const visitor = await this.#o.visitorFor(devices);
      runner = new MaintenanceRunner({ clock: this.#o.clock, records, visitor, modems: Math.max(1, this.#o.modems), lanConcurrency: slot.plan.lanConcurrency, ...this.#o.runner, logger: this.#log });
      this.#runners.add(runner);
      this.#log.info({ plan: slot.plan.name, timeZone: slot.timeZone, devices: devices.length, end: new Date(w.end).toISOString() }, 'maintenance window opened');
      // The runner counts its own work while the window runs (`working`).
      const r = runner;
      const summary = await this.#idle(() => r.runWindow(slot.plan, w, { devices, signal: abort.signal }));
      this.#o.onWindowEnd?.(slot.plan, slot.timeZone, summary);
    } finally {
      renewal?.cancel();
      if (runner) this.#runners.delete(runner);
      slot.abort = undefined;
    }
    if (abort.signal.aborted) {
      // Stopped inside the window: stop() gives the lease back, so a centre started again takes the window up at once.
    } else {
      await this.#o.windows.end(key, this.#owner, this.#o.clock.now());
    }
    this.#transition(slot, 'waiting');
    this.#scheduleNext(slot, w.end);
  }

  /** Count `fn` as this scheduler's work until it settles. */
  async #busy<T>(fn: () => Promise<T>): Promise<T> {
    this.#working++;
    try {
      return await fn();
    } finally {
      this.#working--;
    }
  }

  /** Inside `#busy`: `fn`'s time is counted elsewhere (a runner's). */
  async #idle<T>(fn: () => Promise<T>): Promise<T> {
    this.#working--;
    try {
      return await fn();
    } finally {
      this.#working++;
    }
  }

  /** What is scheduled now, by plan name and time zone. */
  scheduled(): ScheduledWindow[] {
    return [...this.#slots.values()]
      .map((s) => ({ plan: s.plan.name, timeZone: s.timeZone, state: s.state, ...(s.window ? { window: s.window } : {}) }))
      .sort((a, b) => (a.plan === b.plan ? (a.timeZone < b.timeZone ? -1 : 1) : a.plan < b.plan ? -1 : 1));
  }

  /**
   * Stop: nothing new opens, running windows stop before their visits' next
   * step (those visits end cut and resume at that step), and their leases are
   * given back. Waits at most `graceMs` for the steps in progress.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#poll?.cancel();
    this.#unsubscribe?.();
    const running: Promise<void>[] = [];
    const held: WindowKey[] = [];
    for (const slot of this.#slots.values()) {
      slot.timer?.cancel();
      if (slot.state === 'running' && slot.window) held.push(this.#keyOf(slot, slot.window));
      slot.abort?.abort('the centre stops');
      if (slot.done) running.push(slot.done);
    }
    if (this.#reloading) running.push(this.#reloading);
    if (graceMs > 0) {
      let timer: TimerHandle | undefined;
      await Promise.race([
        Promise.allSettled(running),
        new Promise<void>((resolve) => {
          timer = this.#o.clock.setTimer(graceMs, resolve);
        }),
      ]);
      timer?.cancel();
    }
    // Give the windows back even if a step outlived the grace: its visit stays running and a centre started again resumes it (the runner's crash resume).
    await this.#busy(() => Promise.allSettled(held.map((key) => this.#o.windows.renew(key, this.#owner, this.#o.clock.now(), 0))));
  }
}

function slotKey(plan: PlanRecord, timeZone: string): string {
  return `${plan.id}\t${timeZone}`;
}
