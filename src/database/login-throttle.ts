import type { CentreDatabase } from './centre-database.js';
import { query } from './work.js';

/**
 * Failed logins counted per key — `name:<login name>@<address>` and
 * `address:<address>` — so guessing one person's password from one place
 * is slowed without locking that person out everywhere else. The policy
 * (how long to wait after n failures) is the caller's: `delayAfter(n)`.
 */
export class LoginThrottle {
  constructor(readonly db: CentreDatabase) {}

  /** Until when attempts under any of these keys are refused (0: not blocked). */
  async blockedUntil(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const rows = await this.db.kysely.selectFrom('portal_login_throttle').select('blocked_until').where('key', 'in', [...keys]).execute();
    return rows.reduce((m, r) => Math.max(m, Number(r.blocked_until)), 0);
  }

  /** Count a failure under each key; returns the longest block it set. */
  async fail(keys: readonly string[], at: number, delayAfter: (failures: number) => number): Promise<number> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      let until = 0;
      for (const key of keys) {
        const { rows } = yield* query(qb.selectFrom('portal_login_throttle').select('failures').where('key', '=', key));
        const failures = (rows[0] ? Number(rows[0].failures) : 0) + 1;
        const blocked = at + delayAfter(failures);
        until = Math.max(until, blocked);
        yield* query(
          qb
            .insertInto('portal_login_throttle')
            .values({ key, failures, last_failure_at: at, blocked_until: blocked })
            .onConflict((oc) => oc.column('key').doUpdateSet({ failures, last_failure_at: at, blocked_until: blocked })),
        );
      }
      return until;
    });
  }

  /** A good login forgets the failures under its keys. */
  async clear(keys: readonly string[]): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      if (keys.length > 0) yield* query(qb.deleteFrom('portal_login_throttle').where('key', 'in', [...keys]));
    });
  }
}
