import type { FastifyPluginAsync } from 'fastify';
import { eventOf } from '../../database/event-log.js';

/** Keep-alive comment on an idle stream, so proxies and clients see it is open. */
export const LIVE_KEEPALIVE_MS = 15_000;

/** The API's scope on the live feed: a token with the read right sees every device. */
const API_SCOPE = 'api:every-device';

/**
 * /api/v1/live: events as they are stored, as a text/event-stream
 * (`event: event`, `data: <Event JSON>`, `id: <event id>`). Whichever
 * process stored an event, the live-event bus (LISTEN/NOTIFY on PostgreSQL)
 * tells this one; the process's one `LiveFeed` reads the new rows once for
 * every open stream, the portal's included. A client that reconnects with
 * `Last-Event-ID` (or `?after=`) gets what it missed first.
 */
export const liveApi: FastifyPluginAsync = async (app) => {
  const { live, db } = app.centre;
  const qb = db.kysely;
  app.get<{ Querystring: { after?: number } }>(
    '/live',
    {
      config: { access: 'read' },
      schema: { tags: ['events'], summary: 'live events as server-sent events (text/event-stream)', querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'integer', minimum: 0, description: 'send events after this id first (default: only new ones)' } } } },
    },
    async (request, reply) => {
      const lastHeader = Number(request.headers['last-event-id']);
      const after = request.query.after ?? (Number.isSafeInteger(lastHeader) && lastHeader >= 0 ? lastHeader : await live.newest());
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': live events\n\n');
      let closed = false;
      let leave = (): void => undefined;
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), LIVE_KEEPALIVE_MS);
      keepalive.unref();
      res.on('close', () => {
        closed = true;
        leave();
        clearInterval(keepalive);
      });
      const left = await live.open({
        scopeKey: API_SCOPE,
        after,
        visible: async (ids) => new Set(ids),
        // A token is judged per request; an open stream keeps the right it was opened with.
        rejudge: async () => undefined,
        gap: (afterId, limit) => qb.selectFrom('events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute(),
        deliver: (rows) => {
          for (const e of rows) res.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(eventOf(e))}\n\n`);
        },
      });
      if (closed) left();
      else leave = left;
    },
  );
};
