import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { ApiRight, ApiTokens } from '../database/api-tokens.js';
import type { AuditTrail } from '../database/audit-trail.js';
import type { Authenticator, Principal } from './access.js';

/** A token's use from a new address is audited as a login, again after this long. */
export const LOGIN_AUDIT_MS = 3600_000;

/**
 * API tokens as bearer credentials (`Authorization: Bearer hcs_…`). A
 * request without that header is not this authenticator's (undefined); a
 * wrong, unknown or revoked token is refused. The first use of a token from
 * an address (and again after an hour) is audited as a login.
 */
export class TokenAuthenticator implements Authenticator {
  readonly name = 'token';
  readonly #tokens: ApiTokens;
  readonly #audit: AuditTrail;
  readonly #clock: Clock;
  readonly #logins = new Map<string, number>();

  constructor(tokens: ApiTokens, audit: AuditTrail, clock: Clock) {
    this.#tokens = tokens;
    this.#audit = audit;
    this.#clock = clock;
  }

  async authenticate(request: FastifyRequest): Promise<Principal | 'refused' | undefined> {
    const header = request.headers.authorization;
    if (header === undefined) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return 'refused';
    const now = this.#clock.now();
    const token = await this.#tokens.verify(m[1], now);
    if (!token) return 'refused';
    const key = `${token.id} ${request.ip}`;
    const last = this.#logins.get(key);
    if (last === undefined || now - last >= LOGIN_AUDIT_MS) {
      this.#logins.set(key, now);
      await this.#audit.record({ at: now, actor: `token:${token.name}`, action: 'login', target: '', detail: { via: 'api-token' }, address: request.ip });
    }
    const rights = new Set<ApiRight>(token.rights);
    // admin includes operate includes read.
    if (rights.has('admin')) rights.add('operate');
    if (rights.has('operate')) rights.add('read');
    return { actor: `token:${token.name}`, may: (right) => rights.has(right as ApiRight) };
  }
}
