import type { FastifyInstance } from 'fastify';
import { field, FORM_BODY_LIMIT, html, pageContext, pageRoute, seeOther, type PortalKit } from './portal-kit.js';
import { ACCESS_TOPIC } from '../service/live-feed.js';
import { SESSION_MAX_MS } from './person-access.js';
import { personOf, SESSION_COOKIE } from './session-authenticator.js';

/** Login attempts per address and minute beyond the throttle's own slowing (a flood ends at the rate limit first). */
export const LOGIN_RATE_PER_MINUTE = 30;

const REFUSALS = {
  credentials: 'Wrong name or password.',
  disabled: 'This account is disabled. Ask the control room.',
  address: 'This account may not be used from your network address. Ask the control room.',
} as const;

/** A local path to go to after the login (never another site). */
function nextPath(raw: string): string {
  return /^\/(?!\/)[\x21-\x7e]*$/.test(raw) && !raw.startsWith('/login') ? raw : '/fleet';
}

/** /login, /logout, /logout-everywhere. */
export async function loginPages(app: FastifyInstance, kit: PortalKit): Promise<void> {
  const cookie = (token: string, maxAge: number) => `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${kit.secure ? '; Secure' : ''}`;

  // Open live streams of ended sessions close at once (in every portal process on the database).
  const ended = () => app.centre.bus.publish({ topic: ACCESS_TOPIC }).catch(() => undefined);

  app.get<{ Querystring: { next?: string } }>('/login', pageRoute('public'), async (request, reply) => {
    const next = nextPath(String(request.query.next ?? ''));
    return html(reply, kit.pages.render('login', 'Log in', { ...pageContext(request, reply), person: undefined }, { next }));
  });

  app.post(
    '/login',
    { ...pageRoute('public', FORM_BODY_LIMIT), config: { ...pageRoute('public').config, rateLimit: { max: LOGIN_RATE_PER_MINUTE, timeWindow: 60_000 } } },
    async (request, reply) => {
      const name = field(request.body, 'name', 64);
      const password = field(request.body, 'password', 200);
      const q = request.query as Record<string, string | undefined>;
      const outcome = await kit.access.login(name, password, request.ip, String(request.headers['user-agent'] ?? ''));
      if (outcome.ok) {
        reply.header('set-cookie', cookie(outcome.token, SESSION_MAX_MS / 1000));
        return seeOther(reply, nextPath(String(q.next ?? '')));
      }
      const problem =
        outcome.reason === 'throttled'
          ? `Too many failed attempts: wait ${Math.ceil(outcome.retryAfterMs / 1000)} s before the next one.`
          : REFUSALS[outcome.reason];
      if (outcome.retryAfterMs > 0) reply.header('retry-after', String(Math.ceil(outcome.retryAfterMs / 1000)));
      const page = kit.pages.render('login', 'Log in', { ...pageContext(request, reply), person: undefined, problem }, { name });
      return html(reply, page, outcome.reason === 'throttled' ? 429 : outcome.reason === 'address' ? 403 : 401);
    },
  );

  app.post('/logout', pageRoute('person', FORM_BODY_LIMIT), async (request, reply) => {
    await kit.access.logout(personOf(request), request.ip);
    await ended();
    reply.header('set-cookie', cookie('', 0));
    return seeOther(reply, '/login');
  });

  app.post('/logout-everywhere', pageRoute('person', FORM_BODY_LIMIT), async (request, reply) => {
    await kit.access.logoutEverywhere(personOf(request), request.ip);
    await ended();
    reply.header('set-cookie', cookie('', 0));
    return seeOther(reply, '/login?done=everywhere');
  });
}
