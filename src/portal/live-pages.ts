import type { FastifyInstance } from 'fastify';
import { LIVE_KEEPALIVE_MS } from '../service/api/live.js';
import { liveEvent } from './device-pages.js';
import { DEVICE_ID, pageRoute, type PortalKit } from './portal-kit.js';
import { personOf, SESSION_COOKIE } from './session-authenticator.js';

/**
 * /live: the portal's live notifications as Server-Sent Events
 * (`?device=ID` for one device), resumable with Last-Event-ID, only events
 * of devices the person holds the *live* right on. New events come from the
 * process's one `LiveFeed` (shared with the API's stream); a stream resuming
 * from an older id first reads its gap itself through the same access
 * filter. A stream whose session ended (logged out,
 * expired, address no longer allowed) gets `event: closed` and ends.
 */
export async function livePages(app: FastifyInstance, kit: PortalKit): Promise<void> {
  const qb = app.centre.db.kysely;
  const feed = app.centre.live;
  const cookiePattern = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`);

  app.get<{ Querystring: { device?: string } }>('/live', pageRoute('person'), async (request, reply) => {
    const only = typeof request.query.device === 'string' && DEVICE_ID.test(request.query.device) ? request.query.device : undefined;
    let person = personOf(request);
    const token = decodeURIComponent(String(request.headers.cookie ?? '').match(cookiePattern)?.[1] ?? '');
    const lastHeader = Number(request.headers['last-event-id']);
    const after = Number.isSafeInteger(lastHeader) && lastHeader >= 0 ? lastHeader : await feed.newest();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': live notifications\nretry: 2000\n\n');
    let closed = false;
    let leave = (): void => undefined;
    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), LIVE_KEEPALIVE_MS);
    keepalive.unref();
    const stop = () => {
      closed = true;
      leave();
      clearInterval(keepalive);
    };
    const end = (why: string) => {
      if (closed) return;
      res.write(`event: closed\ndata: ${why}\n\n`);
      res.end();
      stop();
    };
    res.on('close', stop);
    const left = await feed.open({
      get scopeKey() {
        return person.scope.key;
      },
      after,
      visible: (ids) => person.scope.allowedAmong(qb, 'live', ids),
      async rejudge() {
        if (closed) return;
        const fresh = await kit.access.resolve(token, request.ip);
        if (typeof fresh === 'string') end('Your session has ended (logged out, or no longer allowed from this address). Log in again.');
        else person = fresh;
      },
      gap: (afterId, limit) => {
        let q = qb.selectFrom('events').selectAll().where('id', '>', afterId).where(person.scope.devicesWhere(qb, 'events.device_id', 'live')).orderBy('id').limit(limit);
        if (only) q = q.where('device_id', '=', only);
        return q.execute();
      },
      deliver: (rows) => {
        for (const e of rows) if (!only || e.device_id === only) res.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(liveEvent(e))}\n\n`);
      },
    });
    if (closed) left();
    else leave = left;
  });
}
