import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { AuditTrail } from '../database/audit-trail.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { devicePages } from './device-pages.js';
import { livePages } from './live-pages.js';
import { loginPages } from './login-pages.js';
import { ASSETS_DIR, PageRenderer } from './page-renderer.js';
import { peoplePages } from './people-pages.js';
import { PersonAccess } from './person-access.js';
import { portalScript } from './portal-script.js';
import { SessionAuthenticator } from './session-authenticator.js';

export interface PortalOptions {
  db: CentreDatabase;
  clock: Pick<Clock, 'now'>;
  /** Served over TLS: cookies get Secure, browsers get HSTS. */
  secure: boolean;
  /** Lower scrypt cost for passwords and depot PINs (tests only). */
  hashCost?: number;
  /** Requests per address and minute to the whole portal (the login has its own, lower limit). */
  ratePerMinute?: number;
}

/** Default request budget per address and minute: generous for people, a wall for scripts hammering the pages. */
export const PORTAL_RATE_PER_MINUTE = 6000;

/**
 * Strict Content-Security-Policy: scripts, styles and everything else only
 * from the portal itself, no inline script or style, no framing, forms
 * posting only here.
 */
export const PORTAL_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The portal: its authenticator for the service's one access hook, and its plugin of pages. */
export interface Portal {
  access: PersonAccess;
  authenticator: SessionAuthenticator;
  plugin: FastifyPluginAsync;
}

/**
 * The centre's web portal (issue 12, docs/portal.md) as one plugin of the
 * centre service (`buildCentreService({ authenticators: [portal.authenticator],
 * plugins: [{ plugin: portal.plugin }] })`): server-rendered pages (Eta) and
 * one small script, behind the service's one access hook, which asks the
 * portal's `SessionAuthenticator` for people. Every page route names its
 * right; everything state-changing is a form with a CSRF token.
 */
export function createPortal(options: PortalOptions): Portal {
  const access = new PersonAccess(options.db, new AuditTrail(options.db), options.clock, { hashCost: options.hashCost });
  const authenticator = new SessionAuthenticator(access);
  const script = `(${portalScript.toString()})();\n`;
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const plugin: FastifyPluginAsync = async (app: FastifyInstance) => {
    // The assets are public: they carry no data. Every other portal route names its own access.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/assets/')) route.config = { ...(route.config as object), access: 'public' };
    });
    await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: PORTAL_CSP }, hsts: options.secure, crossOriginEmbedderPolicy: true });
    await app.register(rateLimit, { max: options.ratePerMinute ?? PORTAL_RATE_PER_MINUTE, timeWindow: 60_000 });
    await app.register(cookie);
    await app.register(formbody);
    await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieKey: 'hcs_csrf', cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: options.secure, signed: false } });
    // Every state-changing request of the portal carries the form's token (the login form too: no login CSRF).
    app.addHook('preHandler', (request, reply, done) => {
      if (request.method === 'GET' || request.method === 'HEAD') return done();
      app.csrfProtection(request, reply, done);
    });
    await app.register(fastifyStatic, { root: [ASSETS_DIR, chartDir], prefix: '/assets/', index: false, list: false, maxAge: 3600_000, allowedPath: (path) => path === '/portal.css' || path === '/chart.umd.min.js' });
    app.get('/assets/portal.js', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=3600').send(script));
    // Browsers ask for it on pages without markup (a refusal in plain text): nothing, rather than a 404 in their console.
    app.get('/favicon.ico', { config: { access: 'public' } }, async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
    const kit = { access, pages: new PageRenderer(), secure: options.secure, pinCost: options.hashCost };
    await loginPages(app, kit);
    await devicePages(app, kit);
    await livePages(app, kit);
    await peoplePages(app, kit, { hashCost: options.hashCost });
  };
  return { access, authenticator, plugin };
}
