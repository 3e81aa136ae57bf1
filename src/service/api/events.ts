import type { FastifyPluginAsync } from 'fastify';
import { EventLogError, type CentreEvent, type EventFilter } from '../../database/event-log.js';
import { EVENTS_TOPIC } from '../../centre/supervision-store.js';
import { auditActor } from '../access.js';
import { conflict, HttpError, notFound } from './http-error.js';
import { deviceId, listOf, ref } from './schemas.js';

const eventParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } } as const;

function eventError(err: unknown): never {
  if (err instanceof EventLogError) {
    if (/^no event /.test(err.message)) throw notFound(err.message);
    if (/already/.test(err.message)) throw conflict(err.message);
    throw new HttpError(400, err.message);
  }
  throw err;
}

/** /api/v1/events: the event log and its life (acknowledge, clear, comment). */
export const eventsApi: FastifyPluginAsync = async (app) => {
  const { events, audit, clock, bus } = app.centre;
  const withComments = async (e: CentreEvent) => ({ ...e, comments: await events.comments(e.id) });
  const changed = () => bus.publish({ topic: EVENTS_TOPIC }).catch(() => undefined);

  app.get<{ Querystring: EventFilter & { device?: string } }>(
    '/events',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: 'events, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            device: deviceId,
            life: { type: 'string', enum: ['active', 'cleared'] },
            ack: { type: 'string', enum: ['unacknowledged', 'acknowledged'] },
            type: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
            afterId: { type: 'integer', minimum: 0, description: 'only events with a higher id (paging, catching up)' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: listOf('Event') },
      },
    },
    async (request) => {
      const { device, ...f } = request.query;
      return events.list({ ...f, ...(device === undefined ? {} : { deviceId: device }) });
    },
  );

  app.get<{ Params: { id: number } }>('/events/:id', { config: { access: 'read' }, schema: { tags: ['events'], summary: 'one event with its comments', params: eventParams, response: { 200: ref('Event') } } }, async (request) => {
    const e = await events.get(request.params.id);
    if (!e) throw notFound(`no event ${request.params.id}`);
    return withComments(e);
  });

  app.post<{ Params: { id: number } }>('/events/:id/acknowledge', { config: { access: 'operate' }, schema: { tags: ['events'], summary: 'acknowledge (who and when are recorded); 409 if it already was', params: eventParams, response: { 200: ref('Event') } } }, async (request) => {
    const who = auditActor(request);
    const at = clock.now();
    await events.acknowledge(request.params.id, who.actor, at).catch(eventError);
    await audit.record({ at, ...who, action: 'event.acknowledge', target: String(request.params.id) });
    changed();
    return withComments((await events.get(request.params.id))!);
  });

  app.post<{ Params: { id: number } }>('/events/:id/clear', { config: { access: 'operate' }, schema: { tags: ['events'], summary: 'clear an active event by hand; 409 if it is cleared', params: eventParams, response: { 200: ref('Event') } } }, async (request) => {
    const who = auditActor(request);
    const at = clock.now();
    await events.clear(request.params.id, at).catch(eventError);
    await audit.record({ at, ...who, action: 'event.clear', target: String(request.params.id) });
    changed();
    return withComments((await events.get(request.params.id))!);
  });

  app.post<{ Params: { id: number }; Body: { text: string } }>(
    '/events/:id/comments',
    {
      config: { access: 'operate' },
      schema: { tags: ['events'], summary: 'add a comment', params: eventParams, body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } } }, response: { 201: ref('Event') } },
    },
    async (request, reply) => {
      const who = auditActor(request);
      const at = clock.now();
      const id = await events.comment(request.params.id, who.actor, request.body.text, at).catch(eventError);
      await audit.record({ at, ...who, action: 'event.comment', target: String(request.params.id), detail: { comment: id } });
      reply.code(201);
      return withComments((await events.get(request.params.id))!);
    },
  );
};
