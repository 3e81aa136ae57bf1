import type { Clock } from '../../core/clock.js';
import type { ApiTokens } from '../database/api-tokens.js';
import type { AuditTrail } from '../database/audit-trail.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { DeviceCommands } from '../database/device-commands.js';
import type { DeviceRegistry } from '../database/device-registry.js';
import type { MaintenanceAccess } from '../database/maintenance-access.js';
import type { EventBus } from '../database/event-bus.js';
import type { EventLog } from '../database/event-log.js';
import type { Logger } from '../logger.js';
import type { CheckInIntake } from '../centre/check-in-intake.js';
import type { Supervisor } from '../centre/supervisor.js';
import type { Centre } from '../centre/centre.js';
import type { Principal } from './access.js';
import type { LiveFeed } from './live-feed.js';

/**
 * What every plugin of the centre service shares (`app.centre`): the
 * database and its repositories, the live-event bus, the clock, and the
 * parts that run (set by their plugins once started).
 */
export interface CentreContext {
  db: CentreDatabase;
  registry: DeviceRegistry;
  tokens: ApiTokens;
  audit: AuditTrail;
  events: EventLog;
  commands: DeviceCommands;
  bus: EventBus;
  /** How the centre reaches each PBX's admin session (`maintenance_access`); absent: none stored reachable from here. */
  deviceAccess?: MaintenanceAccess;
  /** The process's one reader of new events for every live stream (API and portal). */
  live: LiveFeed;
  clock: Clock;
  logger: Logger;
  /** Set by the intake plugin. */
  intake?: CheckInIntake;
  /** Set by the supervision plugin. */
  supervisor?: Supervisor;
  /** Set by the modem plugin. */
  modems?: Centre;
}

declare module 'fastify' {
  interface FastifyInstance {
    centre: CentreContext;
    /** Every route with the access it declares (access.ts). */
    accessTable: import('./access.js').RouteAccessEntry[];
  }
  interface FastifyRequest {
    /** Who is asking; set by the one access hook (access.ts) before any handler runs. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** The right a route needs (access.ts); 'public' for the few that need none. */
    access?: import('./access.js').RouteAccess;
    /** How a refusal of the access hook is answered on this route (the portal's pages send people to the login page); JSON when absent. */
    refuse?: import('./access.js').Refusal;
  }
}
