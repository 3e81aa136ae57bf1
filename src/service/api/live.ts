import type { FastifyPluginAsync } from 'fastify';
import { RESYNC_TOPIC } from '../../database/event-bus.js';
import { EVENTS_TOPIC } from '../../centre/supervision-store.js';

/** Keep-alive comment on an idle stream, so proxies and clients see it is open. */
export const LIVE_KEEPALIVE_MS = 15_000;

/**
 * /api/v1/live: events as they are stored, as a text/event-stream
 * (`event: event`, `data: <Event JSON>`, `id: <event id>`). Whichever
 * process stored an event, the live-event bus (LISTEN/NOTIFY on PostgreSQL)
 * tells this one, which reads the new rows; a client that reconnects with
 * `Last-Event-ID` (or `?after=`) gets what it missed.
 */
export const liveApi: FastifyPluginAsync = async (app) => {
  const { events, bus } = app.centre;
  app.get<{ Querystring: { after?: number } }>(
    '/live',
    {
      config: { access: 'read' },
      schema: { tags: ['events'], summary: 'live events as server-sent events (text/event-stream)', querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'integer', minimum: 0, description: 'send events after this id first (default: only new ones)' } } } },
    },
    async (request, reply) => {
      const lastHeader = Number(request.headers['last-event-id']);
      let last = request.query.after ?? (Number.isSafeInteger(lastHeader) ? lastHeader : (await events.list({ limit: 1 }))[0]?.id ?? 0);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': live events\n\n');
      let reading = false;
      let again = false;
      let closed = false;
      const catchUp = async (): Promise<void> => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            for (;;) {
              const batch = (await events.list({ afterId: last, limit: 500 })).reverse();
              for (const e of batch) {
                if (closed) return;
                res.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`);
                last = e.id;
              }
              if (batch.length < 500) break;
            }
          } while (again && !closed);
        } catch (err) {
          app.log.warn({ err: (err as Error).message }, 'live stream could not read events');
        } finally {
          reading = false;
        }
      };
      const unsubscribe = bus.subscribe((m) => {
        if (m.topic === EVENTS_TOPIC || m.topic === RESYNC_TOPIC) void catchUp();
      });
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), LIVE_KEEPALIVE_MS);
      keepalive.unref();
      res.on('close', () => {
        closed = true;
        unsubscribe();
        clearInterval(keepalive);
      });
      void catchUp();
    },
  );
};
