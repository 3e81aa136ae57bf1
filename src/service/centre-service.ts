import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { ApiTokens } from '../database/api-tokens.js';
import { AuditTrail } from '../database/audit-trail.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { DeviceCommands } from '../database/device-commands.js';
import type { DeviceRegistry } from '../database/device-registry.js';
import type { MaintenanceAccess } from '../database/maintenance-access.js';
import type { EventBus } from '../database/event-bus.js';
import { EventLog } from '../database/event-log.js';
import { silentLogger, type Logger } from '../logger.js';
import { installAccessHook, type Authenticator } from './access.js';
import { API_PREFIX } from './api-prefix.js';
import { HttpError } from './api/http-error.js';
import { LiveFeed } from './live-feed.js';
import { intakePlugin, type IntakePluginOptions } from './intake-plugin.js';
import type { ModemPluginOptions } from './modem-plugin.js';
import type { CentreContext } from './service-context.js';
import { supervisionPlugin } from './supervision-plugin.js';
import { TokenAuthenticator } from './token-authenticator.js';
import './service-context.js';

export interface CentreServiceOptions {
  db: CentreDatabase;
  registry: DeviceRegistry;
  bus: EventBus;
  clock: Clock;
  logger?: Logger;
  /** How the centre reaches each PBX's admin session (LAN, modem, callback; secrets sealed); absent: it reaches none (the portal's test by modem is not offered). */
  deviceAccess?: MaintenanceAccess;
  /** The UDP intake; absent: this process takes no check-ins (an API-only process). */
  intake?: IntakePluginOptions;
  /**
   * The JSON API and its OpenAPI document (default on). Off in a process that
   * serves no HTTP (`centre serve --no-http`): nobody could call it, and its
   * modules and the compile of its route schemas (ajv, fast-json-stringify)
   * were most of such a process's start (issue 15, CLI start).
   */
  api?: boolean;
  /** Receive mode on centre modems; absent: none. */
  modems?: ModemPluginOptions;
  /** Supervision in this process (default on; several processes on one PostgreSQL share the work). */
  supervision?: { stepMs?: number } | false;
  /**
   * More authenticators after the API tokens — the portal's people and
   * sessions (issue 12) — asked in order by the one access hook.
   */
  authenticators?: Authenticator[];
  /**
   * More plugins, registered after the API with the same context and the
   * same access hook: the portal (issue 12) is one. Each gets the service
   * (`app.centre`) and names the right of every route in `config.access`.
   */
  plugins?: Array<{ plugin: FastifyPluginAsync; prefix?: string }>;
  /** Serve HTTPS with this certificate and key (PEM); absent: plain HTTP (the CLI allows that on loopback only). */
  https?: { cert: Buffer; key: Buffer };
  /** How often open live streams judge their sessions without being told (default LIVE_REJUDGE_MS; tests lengthen it to prove a change is heard at once). */
  liveRejudgeMs?: number;
  /** Lower scrypt cost for tokens and PIN hashes (tests only). */
  hashCost?: number;
}

/**
 * Build the centre service (spec §5, issue 11): one fastify app with the
 * device side (UDP intake, modem receive mode), supervision and the JSON API
 * as plugins, sharing one context, behind one access hook. Nothing runs and
 * nothing is bound until the caller calls `ready()` / `listen()`; nothing is
 * built at import time.
 */
export async function buildCentreService(options: CentreServiceOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? silentLogger;
  const base = {
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Hijacked live streams must not keep close() waiting.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' as const, useDefaults: true, allErrors: false } },
    // One log line per request is noise for a service that scripts poll; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
  };
  // HTTPS with the configured certificate and key (the portal's side of the network, seed 000); the app is the same either way.
  const app = (options.https ? Fastify({ ...base, https: options.https }) : Fastify(base)) as unknown as FastifyInstance;
  const { db } = options;
  const audit = new AuditTrail(db);
  const tokens = new ApiTokens(db, { hashCost: options.hashCost });
  const context: CentreContext = { db, registry: options.registry, tokens, audit, events: new EventLog(db), commands: new DeviceCommands(db), bus: options.bus, deviceAccess: options.deviceAccess, live: new LiveFeed(db.kysely, options.bus, logger.child({ component: 'live-feed' }), options.liveRejudgeMs), clock: options.clock, logger };
  app.decorate('centre', context);
  app.addHook('onClose', async () => context.live.close());

  // Loaded only where the API is served; the OpenAPI collector must be registered before the routes it describes.
  const api = options.api === false ? undefined : await loadApi();
  if (api) {
    for (const s of api.SHARED_SCHEMAS) app.addSchema(s);
    await app.register(api.swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'hicom-sim centre API', version: '1', description: 'The service centre: devices, check-ins, supervision, events, reports, device commands, audit trail (docs/centre-api.md).' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from `hicom-sim centre token add`' } } },
        security: [{ bearer: [] }],
      },
    });
  }

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ statusCode: err.statusCode, error: httpReason(err.statusCode), message: err.message });
    if (err.validation) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ statusCode: err.statusCode, error: httpReason(err.statusCode), message: err.message });
    request.log.error({ err: err.message, url: request.url }, 'request failed');
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'the request failed; the service log has the reason' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  installAccessHook(app, [new TokenAuthenticator(tokens, audit, options.clock), ...(options.authenticators ?? [])]);

  if (api) {
    await app.register(api.apiPlugin({ pinCost: options.hashCost }), { prefix: API_PREFIX });
    app.get(`${API_PREFIX}/openapi.json`, { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  }
  if (options.intake) await app.register(intakePlugin, options.intake);
  if (options.supervision !== false) await app.register(supervisionPlugin, options.supervision ?? {});
  // Receive mode (the report decoder with it) loads only in a process given a modem.
  if (options.modems) await app.register((await import('./modem-plugin.js')).modemPlugin, options.modems);
  for (const p of options.plugins ?? []) await app.register(p.plugin, { prefix: p.prefix });
  return app;
}

/** The JSON API's modules: its routes, their shared schemas, the OpenAPI collector. */
async function loadApi() {
  const [swagger, { apiPlugin }, { SHARED_SCHEMAS }] = await Promise.all([import('@fastify/swagger'), import('./api-plugin.js'), import('./api/schemas.js')]);
  return { swagger: swagger.default, apiPlugin, SHARED_SCHEMAS };
}

function httpReason(code: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type' } as Record<number, string>)[code] ?? 'Error';
}
