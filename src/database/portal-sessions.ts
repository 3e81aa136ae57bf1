import type { Selectable } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
import type { PortalSessionsTable } from './schema.js';
import { affected, query } from './work.js';

export interface PortalSession {
  tokenHash: string;
  accountId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  address: string;
  userAgent: string;
}

/**
 * Server-side portal sessions (migration 0005). The cookie carries a random
 * token; only its SHA-256 is stored, so a copy of the database opens no
 * session. A session ends when its row is gone: logging out, "log out
 * everywhere", or the account's rules refusing it.
 */
export class PortalSessions {
  constructor(readonly db: CentreDatabase) {}

  async create(s: PortalSession): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.insertInto('portal_sessions').values({ token_hash: s.tokenHash, account_id: s.accountId, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt, address: s.address, user_agent: s.userAgent }));
    });
  }

  async find(tokenHash: string): Promise<PortalSession | undefined> {
    const row = await this.db.kysely.selectFrom('portal_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && sessionOf(row);
  }

  /** The session was used: it lives on until `expiresAt`. */
  async touch(tokenHash: string, at: number, expiresAt: number): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.updateTable('portal_sessions').set({ last_seen_at: at, expires_at: expiresAt }).where('token_hash', '=', tokenHash));
    });
  }

  async remove(tokenHash: string): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      return affected(yield* query(qb.deleteFrom('portal_sessions').where('token_hash', '=', tokenHash))) > 0;
    });
  }

  /** Every session of the account ("log out everywhere"); returns how many ended. */
  async removeAll(accountId: number): Promise<number> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      return affected(yield* query(qb.deleteFrom('portal_sessions').where('account_id', '=', accountId)));
    });
  }

  async forAccount(accountId: number): Promise<PortalSession[]> {
    return (await this.db.kysely.selectFrom('portal_sessions').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute()).map(sessionOf);
  }

  /** Expired rows, cleaned now and then. */
  async removeExpired(now: number): Promise<number> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      return affected(yield* query(qb.deleteFrom('portal_sessions').where('expires_at', '<=', now)));
    });
  }
}

function sessionOf(r: Selectable<PortalSessionsTable>): PortalSession {
  return { tokenHash: r.token_hash, accountId: Number(r.account_id), createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at), address: r.address, userAgent: r.user_agent };
}
