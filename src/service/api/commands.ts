import type { FastifyPluginAsync } from 'fastify';
import type { JsonObject } from '../../../core/check-in-body.js';
import { hashSecret } from '../../../firmware-sim/secret-hash.js';
import { DeviceCommandError, type QueuedCommand } from '../../database/device-commands.js';
import { auditActor } from '../access.js';
import { HttpError, notFound } from './http-error.js';
import { idParams, limitQuery, listOf, ref } from './schemas.js';

/**
 * scrypt cost of a depot PIN hash: docs/key-depot.md §2 asks for a moderate
 * N (2^10–2^14) because a depot checks a typed PIN against every user's hash
 * on its own CPU.
 */
export const DEPOT_PIN_COST = 1 << 12;

/** The command as the API shows it: a PIN's hash never leaves (spec §4.10: nothing secret sent back). */
export function commandView(c: QueuedCommand) {
  const fields = { ...c.fields };
  if ('hash' in fields) fields.hash = '(hidden)';
  return { ...c, fields };
}

const commandBody = {
  oneOf: [
    {
      type: 'object',
      required: ['type', 'user', 'pin'],
      additionalProperties: false,
      properties: {
        type: { const: 'pin-add' },
        user: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$' },
        pin: { type: 'string', pattern: '^\\d{4,8}$', description: '4–8 digits; only its salted scrypt hash is stored and sent to the depot' },
        compartments: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 255 } },
      },
    },
    { type: 'object', required: ['type', 'user'], additionalProperties: false, properties: { type: { const: 'pin-remove' }, user: { type: 'string', minLength: 1, maxLength: 32 } } },
    { type: 'object', required: ['type', 'compartment'], additionalProperties: false, properties: { type: { const: 'release' }, compartment: { type: 'integer', minimum: 1, maximum: 255 } } },
    { type: 'object', required: ['type', 'seconds'], additionalProperties: false, properties: { type: { const: 'interval' }, seconds: { type: 'integer', minimum: 10, maximum: 86_400 } } },
    { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { const: 'test' } } },
  ],
} as const;

type CommandBody =
  | { type: 'pin-add'; user: string; pin: string; compartments?: number[] }
  | { type: 'pin-remove'; user: string }
  | { type: 'release'; compartment: number }
  | { type: 'interval'; seconds: number }
  | { type: 'test' };

/** What is queued: the body's fields, a PIN replaced by its hash before anything is stored. */
export function commandFields(b: CommandBody, pinCost = DEPOT_PIN_COST): JsonObject {
  switch (b.type) {
    case 'pin-add':
      return { user: b.user, hash: hashSecret(b.pin, pinCost), ...(b.compartments ? { compartments: b.compartments } : {}) };
    case 'pin-remove':
      return { user: b.user };
    case 'release':
      return { compartment: b.compartment };
    case 'interval':
      return { seconds: b.seconds };
    case 'test':
      return {};
  }
}

const commandParams = { type: 'object', required: ['id', 'commandId'], additionalProperties: false, properties: { id: idParams.properties.id, commandId: { type: 'integer', minimum: 1 } } } as const;

/** /api/v1/devices/:id/commands: commands delivered in the ack of the device's next check-in. */
export function commandsApi(options: { pinCost?: number } = {}): FastifyPluginAsync {
  return async (app) => {
    const { commands, registry, clock } = app.centre;

    app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
      '/devices/:id/commands',
      { config: { access: 'read' }, schema: { tags: ['commands'], summary: "the device's commands, newest first, with their delivery state", params: idParams, querystring: { type: 'object', additionalProperties: false, properties: limitQuery }, response: { 200: listOf('Command') } } },
      async (request) => (await commands.list(request.params.id, request.query.limit)).map(commandView),
    );

    app.post<{ Params: { id: string }; Body: CommandBody }>(
      '/devices/:id/commands',
      {
        config: { access: 'operate' },
        schema: {
          tags: ['commands'],
          summary: 'queue a command (pin-add, pin-remove, release, interval, test); it rides in the ack of the next check-in',
          params: idParams,
          body: commandBody,
          response: { 201: ref('Command') },
        },
      },
      async (request, reply) => {
        const d = await registry.get(request.params.id);
        if (!d) throw notFound(`no device ${request.params.id}`);
        if (d.kind !== 'key-depot' && request.body.type.startsWith('pin-')) throw new HttpError(400, `${d.id} is a ${d.kind}: PINs are for key depots`);
        if (d.kind !== 'key-depot' && request.body.type === 'release') throw new HttpError(400, `${d.id} is a ${d.kind}: only key depots have compartments`);
        const who = auditActor(request);
        const q = await commands.queue(d.id, { type: request.body.type, fields: commandFields(request.body, options.pinCost), at: clock.now(), by: who.actor, address: who.address });
        reply.code(201);
        return commandView(q);
      },
    );

    app.get<{ Params: { id: string; commandId: number } }>('/devices/:id/commands/:commandId', { config: { access: 'read' }, schema: { tags: ['commands'], summary: 'one command', params: commandParams, response: { 200: ref('Command') } } }, async (request) => {
      const c = await commands.get(request.params.id, request.params.commandId);
      if (!c) throw notFound(`device ${request.params.id} has no command ${request.params.commandId}`);
      return commandView(c);
    });

    app.delete<{ Params: { id: string; commandId: number } }>(
      '/devices/:id/commands/:commandId',
      { config: { access: 'operate' }, schema: { tags: ['commands'], summary: 'cancel a command the device has not reported yet', params: commandParams, response: { 200: ref('Command') } } },
      async (request) => {
        try {
          return commandView(await commands.cancel(request.params.id, request.params.commandId, auditActor(request), clock.now()));
        } catch (err) {
          if (err instanceof DeviceCommandError) throw new HttpError(/has no command/.test(err.message) ? 404 : 409, err.message);
          throw err;
        }
      },
    );
  };
}
