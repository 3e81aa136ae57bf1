import type { FastifyRequest } from 'fastify';
import type { ApiRight } from '../database/api-tokens.js';
import { isPortalRight, type PortalRight } from '../database/portal-rights.js';
import type { Authenticator, Principal, RouteAccess } from '../service/access.js';
import type { Person, PersonAccess } from './person-access.js';

/** The session cookie: a random token, nothing else (HttpOnly, SameSite=Strict, Secure under TLS). */
export const SESSION_COOKIE = 'hcs_session';

/** The control room's API rights: the manager administers, operators operate; partners use the portal only (their API view would not be filtered by grants). */
const API_RIGHTS_OF_ROLE: Readonly<Record<string, readonly ApiRight[]>> = {
  manager: ['read', 'operate', 'admin'],
  operator: ['read', 'operate'],
  partner: [],
};

/** The principal of a person: decided from what `authenticate` read for this very request. */
export interface PersonPrincipal extends Principal {
  readonly person: Person;
  /** The person's rights on the device this route names (`:id`), read for this request. */
  readonly deviceRights: ReadonlySet<PortalRight>;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * People with a portal session, as one more authenticator of the service's
 * one access hook (`src/service/access.ts`). For every request it resolves
 * the session anew (`PersonAccess.resolve`: expiry, account state, IP
 * allowlists of account and grants for this address) and reads the
 * person's rights on the device the route names, so the hook's synchronous
 * `may` decides from fresh facts; lists are filtered by the same scope.
 */
export class SessionAuthenticator implements Authenticator {
  readonly name = 'session';

  constructor(readonly access: PersonAccess) {}

  async authenticate(request: FastifyRequest): Promise<Principal | 'refused' | undefined> {
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (token === undefined || token === '') return undefined;
    const person = await this.access.resolve(decodeURIComponent(token), request.ip);
    if (typeof person === 'string') return 'refused';
    const params = request.params as Record<string, unknown> | undefined;
    const deviceId = typeof params?.id === 'string' ? params.id : undefined;
    const deviceRights = deviceId === undefined ? new Set<PortalRight>() : await person.scope.rightsOn(this.access.db.kysely, deviceId);
    return personPrincipal(person, deviceRights, deviceId !== undefined);
  }
}

function personPrincipal(person: Person, deviceRights: ReadonlySet<PortalRight>, namesDevice: boolean): PersonPrincipal {
  const role = person.account.role;
  const api = new Set<string>(API_RIGHTS_OF_ROLE[role]);
  return {
    actor: person.account.name,
    person,
    deviceRights,
    may(right: Exclude<RouteAccess, 'public'>): boolean {
      if (right === 'person') return true;
      if (right === 'control-room') return role === 'manager' || role === 'operator';
      if (right === 'manager') return role === 'manager';
      if (isPortalRight(right)) return namesDevice ? deviceRights.has(right) : true;
      return api.has(right);
    },
  };
}

/** The person of a request that passed the hook on a portal route. */
export function personOf(request: FastifyRequest): Person {
  const p = request.principal as PersonPrincipal | undefined;
  if (!p || !('person' in p)) throw new Error('no person on this request (a portal route without a person access?)');
  return p.person;
}

export function deviceRightsOf(request: FastifyRequest): ReadonlySet<PortalRight> {
  return (request.principal as PersonPrincipal).deviceRights;
}
