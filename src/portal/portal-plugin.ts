import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { AuditTrail } from '../database/audit-trail.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { devicePages } from './device-pages.js';
import { livePages } from './live-pages.js';
import { loginPages } from './login-pages.js';
import { maintenancePages } from './maintenance-pages.js';
import { modemAccessPages } from './modem-access-pages.js';
import { ASSETS_DIR, PageRenderer } from './page-renderer.js';
import { FORM_BODY_LIMIT, html, pageContext } from './portal-kit.js';
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
  /** How long a device page waits for the outcome of a test call by modem before it says none came; absent: the longest a call can take (docs/portal.md). */
  testCallWaitMs?: number;
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

/** What a person reads when a request of theirs fails before or outside a page's own checks. */
function errorPage(err: FastifyError, status: number): { heading: string; text: string } {
  if (err.code === 'FST_CSRF_MISSING_SECRET' || err.code === 'FST_CSRF_INVALID_TOKEN')
    return { heading: 'The form has expired', text: 'The form was not sent from a current portal page (or its security token is missing). Nothing was changed: reload the page and send the form again.' };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { heading: 'The form is too large', text: `A form may hold at most ${FORM_BODY_LIMIT / 1024} KiB. Nothing was changed.` };
  if (status === 429) return { heading: 'Too many requests', text: 'Too many requests from your address: wait a minute and try again.' };
  if (err.validation) return { heading: 'Not a valid address', text: 'This address names no device, person or event the portal knows (ids are letters, digits and . _ -).' };
  if (status === 500) return { heading: 'Something went wrong', text: 'The request failed on the server; the service log has the reason. Nothing was changed by this request if it was a form.' };
  return { heading: 'Refused', text: err.message };
}

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
    const kit = { access, pages: new PageRenderer(), secure: options.secure, pinCost: options.hashCost, testCallWaitMs: options.testCallWaitMs };
    // A person gets a page saying what went wrong and what to do, not the API's JSON.
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) request.log.error({ err: err.message, url: request.url }, 'portal request failed');
      const { heading, text } = errorPage(err, status);
      const back = request.method === 'POST' && typeof request.headers.referer === 'string' && new URL(request.headers.referer, 'http://portal').pathname;
      return html(reply, kit.pages.render('message', heading, pageContext(request, reply), { heading, text, ...(back ? { link: back, linkLabel: 'Back to the form' } : {}) }), status);
    });
    await loginPages(app, kit);
    await devicePages(app, kit);
    await livePages(app, kit);
    await maintenancePages(app, kit);
    await modemAccessPages(app, kit);
    await peoplePages(app, kit, { hashCost: options.hashCost });
  };
  return { access, authenticator, plugin };
}
