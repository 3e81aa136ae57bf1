import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRight } from '../database/api-tokens.js';
import type { PortalAccess } from '../database/portal-rights.js';

/** What a route needs (`config.access`): an API right, a portal right or role, or nothing ('public'). */
export type RouteAccess = ApiRight | PortalAccess | 'public';

/** One registered route and what it needs (`app.accessTable`). */
export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

/** Answers a refusal of the hook in a route's own way (a login page instead of JSON): 401 no or bad credentials, 403 lacking the right. */
export type Refusal = (request: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string) => FastifyReply;

/**
 * Who is asking, as one authenticator found out, and what they may do. API
 * tokens (`token-authenticator.ts`) are the first kind; the portal (issue
 * 12) adds people with sessions, whose `may` reads their grants (per device,
 * per right) and the IP networks a grant allows — so every rule stays in the
 * one hook below.
 */
export interface Principal {
  /** For the audit trail: `token:NAME`, or a person's login name. */
  readonly actor: string;
  /** May this principal do `right` (on the device a route names, if any) from this request's address? */
  may(right: Exclude<RouteAccess, 'public'>, request: FastifyRequest): boolean;
}

/**
 * Finds the principal of a request. `undefined`: this authenticator does
 * not apply (no credentials of its kind) and the next is asked; `'refused'`:
 * credentials of its kind were given and are wrong — 401, audited.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(request: FastifyRequest): Promise<Principal | 'refused' | undefined>;
}

/**
 * The one place where authentication and authorisation happen: an
 * `onRequest` hook on the whole service. Every route names the right it
 * needs in `config.access` (a route without one is refused: nothing is
 * open by accident); the authenticators are asked in order; a route's
 * handler runs only for a principal that may. Refusals: 401 without
 * (valid) credentials, 403 without the right; each refused authentication
 * is in the audit trail with its address.
 */
export function installAccessHook(app: FastifyInstance, authenticators: readonly Authenticator[]): void {
  app.decorateRequest('principal', undefined);
  // Every route and the access it declares, as registered: the table the access tests are generated from, so no route escapes them.
  const table: RouteAccessEntry[] = [];
  app.decorate('accessTable', table);
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) table.push({ method, url: route.url, access: (route.config as { access?: RouteAccess } | undefined)?.access });
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (access === 'public') return;
    // No route matched: let fastify answer 404 (the access of an unknown URL is not a secret).
    if (request.routeOptions.url === undefined) return;
    if (access === undefined) return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'this route declares no access right' });
    const refuse = request.routeOptions.config?.refuse;
    let principal: Principal | undefined;
    for (const a of authenticators) {
      const found = await a.authenticate(request);
      if (found === 'refused') {
        await app.centre.audit.record({ at: app.centre.clock.now(), actor: `${a.name}:?`, action: 'login.refused', target: '', detail: { method: request.method, url: request.url }, address: request.ip });
        if (refuse) return refuse(request, reply, 401, 'the credentials are not valid');
        return reply.code(401).header('www-authenticate', 'Bearer realm="hicom-sim centre"').send({ statusCode: 401, error: 'Unauthorized', message: 'the credentials are not valid' });
      }
      if (found) {
        principal = found;
        break;
      }
    }
    if (!principal && refuse) return refuse(request, reply, 401, 'please log in');
    if (!principal) return reply.code(401).header('www-authenticate', 'Bearer realm="hicom-sim centre"').send({ statusCode: 401, error: 'Unauthorized', message: 'send Authorization: Bearer <API token> (hicom-sim centre token add)' });
    if (!principal.may(access, request)) {
      if (refuse) return refuse(request, reply, 403, `${principal.actor} lacks the right "${access}"`);
      return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `${principal.actor} lacks the right "${access}"` });
    }
    request.principal = principal;
  });
}

/** The actor and address a change is audited under (only inside handlers, after the hook). */
export function auditActor(request: FastifyRequest): { actor: string; address: string } {
  return { actor: request.principal?.actor ?? 'anonymous', address: request.ip };
}
