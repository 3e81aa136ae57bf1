import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { AuditTrail } from '../database/audit-trail.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { LoginThrottle } from '../database/login-throttle.js';
import { PortalAccounts, type PortalAccount } from '../database/portal-accounts.js';
import { PortalGrants } from '../database/portal-grants.js';
import { PortalSessions, type PortalSession } from '../database/portal-sessions.js';
import { AccessScope, isControlRoom } from './access-scope.js';
import { IpAllowlist } from './ip-allowlist.js';
import { verifyPassword } from './password-hash.js';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and this long after the login, whatever happens. */
export const SESSION_MAX_MS = 12 * 3600_000;
/** last_seen_at is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;
/** Failed logins under one key before each further one has to wait. */
export const FREE_FAILURES = 5;
/** The longest wait: a quarter of an hour. */
export const MAX_LOGIN_DELAY_MS = 15 * 60_000;
/** Random bytes of a session token (256 bits). */
const TOKEN_BYTES = 32;

/** 1 s after the first failure beyond the free ones, doubling, at most a quarter of an hour. */
export function loginDelayAfter(failures: number): number {
  return failures <= FREE_FAILURES ? 0 : Math.min(MAX_LOGIN_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES - 1));
}

/** A person using the portal in this request: who, through which session, and what they may see from here. */
export interface Person {
  account: PortalAccount;
  session: PortalSession;
  scope: AccessScope;
}

export type LoginRefusal = 'credentials' | 'throttled' | 'address' | 'disabled';

export type LoginOutcome = { ok: true; token: string; person: Person } | { ok: false; reason: LoginRefusal; retryAfterMs: number };

/** Why a session cookie does not open a session. */
export type SessionRefusal = 'none' | 'expired' | 'address' | 'disabled';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The name as it goes into the audit trail: printable, bounded. */
function typedName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/**
 * Who may use the portal, from where (issue 12): the login code (name +
 * password, scrypt), slowed after failures (per name and address, and per
 * address), every attempt audited with its address; server-side sessions
 * whose cookie holds only a random token; IP allowlists of the account and
 * of its grants, checked at login and again on every request, so an
 * address taken off a list ends an open session at its next request.
 */
export class PersonAccess {
  readonly accounts: PortalAccounts;
  readonly grants: PortalGrants;
  readonly sessions: PortalSessions;
  readonly throttle: LoginThrottle;
  readonly #dummyHash: string;

  constructor(
    readonly db: CentreDatabase,
    readonly audit: AuditTrail,
    readonly clock: Pick<Clock, 'now'>,
    options: { hashCost?: number } = {},
  ) {
    this.#dummyHash = options.hashCost === undefined ? DUMMY_HASH : DUMMY_HASH.replace('16384', String(options.hashCost));
    this.accounts = new PortalAccounts(db);
    this.grants = new PortalGrants(db);
    this.sessions = new PortalSessions(db);
    this.throttle = new LoginThrottle(db);
  }

  async login(name: string, password: string, address: string, userAgent: string): Promise<LoginOutcome> {
    const now = this.clock.now();
    const shown = typedName(name);
    const keys = [`name:${shown}@${address}`, `address:${address}`];
    const blocked = await this.throttle.blockedUntil(keys);
    if (blocked > now) {
      await this.audit.record({ at: now, actor: shown, action: 'login.throttled', detail: { retryAfterMs: blocked - now }, address });
      return { ok: false, reason: 'throttled', retryAfterMs: blocked - now };
    }
    const found = await this.accounts.credentials(name);
    // A missing account costs the same scrypt as a wrong password: no timing oracle for names.
    const good = await verifyPassword(password, found?.passwordHash ?? this.#dummyHash);
    if (!found || !good) {
      const until = await this.throttle.fail(keys, now, loginDelayAfter);
      await this.audit.record({ at: now, actor: shown, action: 'login.failed', detail: { reason: 'wrong name or password' }, address });
      return { ok: false, reason: 'credentials', retryAfterMs: Math.max(0, until - now) };
    }
    const { account } = found;
    if (account.state !== 'active') {
      await this.audit.record({ at: now, actor: account.name, action: 'login.refused', detail: { reason: 'account disabled' }, address });
      return { ok: false, reason: 'disabled', retryAfterMs: 0 };
    }
    const scope = await this.scopeFor(account, address);
    if (!scope) {
      await this.audit.record({ at: now, actor: account.name, action: 'login.refused', detail: { reason: 'address not in the allowlist' }, address });
      return { ok: false, reason: 'address', retryAfterMs: 0 };
    }
    await this.throttle.clear(keys);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const session: PortalSession = { tokenHash: tokenHash(token), accountId: account.id, createdAt: now, lastSeenAt: now, expiresAt: now + SESSION_IDLE_MS, address, userAgent: userAgent.slice(0, 200) };
    await this.sessions.create(session);
    await this.accounts.recordLogin(account.id, now, address);
    await this.audit.record({ at: now, actor: account.name, action: 'login', detail: { role: account.role }, address });
    return { ok: true, token, person: { account, session, scope } };
  }

  /**
   * The person behind a session token, judged anew for this request: the
   * session exists and is not expired, the account is active, and its
   * allowlists admit `address`. A session refused for its address or a
   * disabled account is ended (and audited), so it stays ended.
   */
  async resolve(token: string, address: string): Promise<Person | SessionRefusal> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return 'none';
    const now = this.clock.now();
    const hash = tokenHash(token);
    const session = await this.sessions.find(hash);
    if (!session) return 'none';
    if (session.expiresAt <= now || session.createdAt + SESSION_MAX_MS <= now) {
      await this.sessions.remove(hash);
      return 'expired';
    }
    const account = await this.accounts.get(session.accountId);
    if (!account || account.state !== 'active') {
      await this.sessions.remove(hash);
      return 'disabled';
    }
    const scope = await this.scopeFor(account, address);
    if (!scope) {
      await this.sessions.remove(hash);
      await this.audit.record({ at: now, actor: account.name, action: 'session.refused', detail: { reason: 'address not in the allowlist' }, address });
      return 'address';
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await this.sessions.touch(hash, now, Math.min(now + SESSION_IDLE_MS, session.createdAt + SESSION_MAX_MS));
    return { account, session, scope };
  }

  async logout(person: Person, address: string): Promise<void> {
    await this.sessions.remove(person.session.tokenHash);
    await this.audit.record({ at: this.clock.now(), actor: person.account.name, action: 'logout', address });
  }

  /** Ends every session of the person's account, this one included; returns how many. */
  async logoutEverywhere(person: Person, address: string): Promise<number> {
    const n = await this.sessions.removeAll(person.account.id);
    await this.audit.record({ at: this.clock.now(), actor: person.account.name, action: 'logout.everywhere', detail: { sessions: n }, address });
    return n;
  }

  /**
   * The scope of `account` from `address`, or undefined when the account
   * may not be used from there: its own allowlist does not admit it, or
   * (for a partner) every grant carries an allowlist and none admits it.
   */
  async scopeFor(account: PortalAccount, address: string): Promise<AccessScope | undefined> {
    if (!IpAllowlist.parse(account.networks).allows(address)) return undefined;
    if (isControlRoom(account)) return new AccessScope(account, []);
    const restricted = await this.grants.restricted(account.id);
    const usable = restricted.filter((g) => IpAllowlist.parse(g.networks).allows(address)).map((g) => g.id);
    if (restricted.length > 0 && usable.length === 0 && (await this.grants.count(account.id)) === restricted.length) return undefined;
    return new AccessScope(account, usable);
  }
}

/** A hash no password matches, checked when the name is unknown (same cost as a real one). */
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
