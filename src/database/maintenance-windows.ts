import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import { affected, query } from './work.js';

/**
 * The ledger of maintenance windows (migration 0010, docs/maintenance-plans.md):
 * one row per plan, time zone and window start. A centre process that runs
 * a window claims its row with a lease and renews it while the window runs;
 * another process finds it held and leaves it alone, and takes it over only
 * once the lease ran out (its owner died). The same rows say which windows
 * ended and which were missed while no centre ran, on both engines alike —
 * a row, not an advisory lock, so SQLite files shared by two processes are
 * covered too and the lease is testable in virtual time.
 */

/** One window of one plan in one time zone. */
export interface WindowKey {
  planId: number;
  timeZone: string;
  start: number;
  end: number;
}

/** `running`: claimed by `owner` until `leaseUntil`; `ended`: over (run to its end or all visits finished); `missed`: no centre ran it inside it. */
export type WindowState = 'running' | 'ended' | 'missed';

export interface WindowRow extends WindowKey {
  state: WindowState;
  owner: string;
  leaseUntil: number;
  updatedAt: number;
}

/** What a claim found: this process runs the window now, another one does, or it is over. */
export type ClaimResult = { claimed: true } | { claimed: false; state: WindowState; owner: string; leaseUntil: number };

/** The owner written into the row of a window no centre ran. */
export const MISSED_OWNER = '(no centre)';

export class MaintenanceWindows {
  constructor(private readonly db: CentreDatabase) {}

  /**
   * Claim the window for `owner` until `now + leaseMs`: a new window, one
   * this owner holds already, or one whose owner's lease ran out. In one
   * transaction, the takeover a compare-and-set on the old owner and lease,
   * so of two processes claiming at once exactly one wins.
   */
  async claim(key: WindowKey, owner: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const ins = yield* query(qb.insertInto('maintenance_windows').values({ plan_id: key.planId, time_zone: key.timeZone, window_start: key.start, window_end: key.end, state: 'running', owner, lease_until: now + leaseMs, updated_at: now })
        .onConflict((oc) => oc.columns(['plan_id', 'time_zone', 'window_start']).doNothing()));
      if (affected(ins) === 1) return { claimed: true } as const;
      const { rows } = yield* query(qb.selectFrom('maintenance_windows').select(['state', 'owner', 'lease_until'])
        .where('plan_id', '=', key.planId).where('time_zone', '=', key.timeZone).where('window_start', '=', key.start));
      const row = rows[0];
      if (!row) return { claimed: false, state: 'ended', owner: '', leaseUntil: 0 } as const;
      const leaseUntil = Number(row.lease_until);
      if (row.state !== 'running' || (row.owner !== owner && leaseUntil > now)) return { claimed: false, state: row.state as WindowState, owner: row.owner, leaseUntil } as const;
      const upd = yield* query(qb.updateTable('maintenance_windows').set({ owner, lease_until: now + leaseMs, updated_at: now })
        .where('plan_id', '=', key.planId).where('time_zone', '=', key.timeZone).where('window_start', '=', key.start)
        .where('state', '=', 'running').where('owner', '=', row.owner).where('lease_until', '=', leaseUntil));
      return affected(upd) === 1 ? { claimed: true } as const : { claimed: false, state: 'running', owner: row.owner, leaseUntil } as const;
    });
  }

  /** Extend the lease of a window this owner holds; false when it holds it no more (another took it over). */
  async renew(key: WindowKey, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const upd = yield* query(qb.updateTable('maintenance_windows').set({ lease_until: now + leaseMs, updated_at: now })
        .where('plan_id', '=', key.planId).where('time_zone', '=', key.timeZone).where('window_start', '=', key.start)
        .where('state', '=', 'running').where('owner', '=', owner));
      return affected(upd) === 1;
    });
  }

  /** The window is over for everyone: its end came, or every device's visit finished. */
  async end(key: WindowKey, owner: string, now: number): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.updateTable('maintenance_windows').set({ state: 'ended', updated_at: now })
        .where('plan_id', '=', key.planId).where('time_zone', '=', key.timeZone).where('window_start', '=', key.start).where('owner', '=', owner));
    });
  }

  /**
   * A window that passed while no centre ran it: recorded as missed, with an
   * audit entry, once (false when a row for it exists: it ran, or another
   * process recorded it first).
   */
  async recordMissed(key: WindowKey & { planName: string }, now: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const ins = yield* query(qb.insertInto('maintenance_windows').values({ plan_id: key.planId, time_zone: key.timeZone, window_start: key.start, window_end: key.end, state: 'missed', owner: MISSED_OWNER, lease_until: 0, updated_at: now })
        .onConflict((oc) => oc.columns(['plan_id', 'time_zone', 'window_start']).doNothing()));
      if (affected(ins) === 0) return false;
      yield* recordAudit(qb, { at: now, actor: 'maintenance scheduler', action: 'maintenance.window.missed', target: key.planName, detail: { timeZone: key.timeZone, start: new Date(key.start).toISOString(), end: new Date(key.end).toISOString() } });
      return true;
    });
  }

  /** The plan's windows in one time zone (all zones when none is named), newest first. */
  async of(planId: number, timeZone?: string, limit = 100): Promise<WindowRow[]> {
    let sel = this.db.kysely.selectFrom('maintenance_windows').selectAll().where('plan_id', '=', planId);
    if (timeZone !== undefined) sel = sel.where('time_zone', '=', timeZone);
    const rows = await sel.orderBy('window_start', 'desc').limit(limit).execute();
    return rows.map((r) => ({ planId: Number(r.plan_id), timeZone: r.time_zone, start: Number(r.window_start), end: Number(r.window_end), state: r.state as WindowState, owner: r.owner, leaseUntil: Number(r.lease_until), updatedAt: Number(r.updated_at) }));
  }
}

/**
 * The bus topic (event-bus.ts) a command publishes after it changed what
 * the scheduler runs — a plan added or removed, a device's time zone — so
 * every `centre serve` on a PostgreSQL database reads its plans again at
 * once; on SQLite the file's change counter tells them.
 */
export const MAINTENANCE_SCHEDULE_TOPIC = 'maintenance.schedule';
