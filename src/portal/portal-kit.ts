import type {} from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalAccess } from '../database/portal-rights.js';
import type { Refusal } from '../service/access.js';
import type { Period } from './history-views.js';
import type { PageContext, PageRenderer } from './page-renderer.js';
import type { PersonAccess } from './person-access.js';
import { personOf, SESSION_COOKIE } from './session-authenticator.js';

/** What every route module of the portal gets. */
export interface PortalKit {
  access: PersonAccess;
  pages: PageRenderer;
  /** Cookies get Secure when the portal is served over TLS. */
  secure: boolean;
  /** scrypt cost of depot PIN hashes (lower in tests). */
  pinCost?: number;
  /** How long a device page waits for the outcome of a test call by modem (`centre serve --test-call-wait`); absent: the longest a call can take. */
  testCallWaitMs?: number;
}

/** Route options for a portal page: its access, and refusals as a login page instead of JSON. */
export function pageRoute(access: PortalAccess | 'public', bodyLimit?: number) {
  return { config: { access, refuse: refusePage }, ...(bodyLimit ? { bodyLimit } : {}) };
}

/** Form bodies are small: a 10 MB form is refused before it is read whole. */
export const FORM_BODY_LIMIT = 64 * 1024;

/** Refused at the hook: no (valid) session → the login page (the stale cookie cleared); no right → 403 with a page saying so. */
export const refusePage: Refusal = (request, reply, status, message) => {
  if (status === 401) {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    if (request.method === 'GET' && !request.url.startsWith('/live')) return reply.code(303).header('location', `/login?next=${encodeURIComponent(request.url)}`).send();
    return reply.code(401).type('text/plain; charset=utf-8').send(`${message}: log in again at /login`);
  }
  return reply.code(403).type('text/plain; charset=utf-8').send(`Forbidden: ${message}. Ask the control room for a grant.`);
};

export function pageContext(request: FastifyRequest, reply: FastifyReply, nav?: string): PageContext {
  const q = request.query as Record<string, string | undefined>;
  return { person: request.principal ? personOf(request) : undefined, csrf: reply.generateCsrf(), nav, notice: NOTICES[q.done ?? ''], problem: q.problem ? String(q.problem).slice(0, 300) : undefined };
}

/** Messages after a successful form, by code, so a link cannot put words of its own on a page. */
const NOTICES: Readonly<Record<string, string>> = {
  ack: 'Acknowledged.',
  test: 'Test asked: it reaches the device with the answer to its next check-in.',
  'test-call': 'Test asked: the centre calls the PBX by modem.',
  'pin-set': 'PIN set: it goes to the depot as a hash with the answer to its next check-in.',
  'pin-removed': 'User removed: the depot forgets the PIN at its next check-in.',
  compartment: 'Compartment saved.',
  customer: 'Customer data saved.',
  invoice: 'Invoice saved.',
  'modem-access': 'Modem access saved: PIN and password are stored sealed and are not shown again.',
  'modem-access-removed': 'Modem access removed: the centre no longer calls this PBX.',
  created: 'Person created.',
  saved: 'Saved.',
  granted: 'Grant saved.',
  revoked: 'Grant removed.',
  everywhere: 'Logged out everywhere.',
};

export function html(reply: FastifyReply, page: string, code = 200): FastifyReply {
  return reply.code(code).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** A form field as one trimmed string (a repeated field takes the first), bounded. */
export function field(body: unknown, name: string, max = 500): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const s = Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '';
  return s.trim().slice(0, max);
}

export function fieldList(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
}

/** Printable text without control characters: what a name or label may be. */
export function printable(s: string): boolean {
  return !/[\x00-\x1f\x7f]/.test(s);
}

const DAY_MS = 86_400_000;

/** `from`/`to` (YYYY-MM-DD, UTC, `to` inclusive) or the default: the last 30 days to today. */
export function periodOf(query: Record<string, string | undefined>, now: number): { period: Period; from: string; to: string } | string {
  // Date.parse takes 2026-02-31 for 3 March: a date must read back as itself (a 29 February only in a leap year).
  const day = (s: string | undefined) => {
    const at = s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
    return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === s ? at : NaN;
  };
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const to = query.to ? day(query.to) : today;
  const from = query.from ? day(query.from) : to - 29 * DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to)) return 'dates are YYYY-MM-DD, each a day of the calendar';
  if (to < from) return 'the period ends before it starts';
  if (to - from > 3660 * DAY_MS) return 'a period is at most ten years';
  return { period: { from, to: to + DAY_MS }, from: new Date(from).toISOString().slice(0, 10), to: new Date(to).toISOString().slice(0, 10) };
}

/** A device id as the registry allows it (spec §5.2). */
export const DEVICE_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** The route schema of `/devices/:id/…`: an id the registry could hold, else a readable 400 page. */
export const DEVICE_ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: DEVICE_ID.source } } } as const;
