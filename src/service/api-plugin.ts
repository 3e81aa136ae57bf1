import type { FastifyPluginAsync } from 'fastify';
import { commandsApi } from './api/commands.js';
import { devicesApi } from './api/devices.js';
import { eventsApi } from './api/events.js';
import { fleetApi } from './api/fleet.js';
import { liveApi } from './api/live.js';
import { reportsApi } from './api/reports.js';

/** The JSON API (docs/centre-api.md), every resource a plugin of its own. */
export function apiPlugin(options: { pinCost?: number } = {}): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', { config: { access: 'public' }, schema: { tags: ['service'], summary: 'is the service up (no token needed)', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, database: { type: 'string' } } } } } }, async () => ({ ok: true, database: app.centre.db.engine }));
    await app.register(devicesApi);
    await app.register(commandsApi(options));
    await app.register(eventsApi);
    await app.register(reportsApi);
    await app.register(fleetApi);
    await app.register(liveApi);
  };
}
