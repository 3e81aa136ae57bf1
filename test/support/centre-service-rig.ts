/**
 * The centre service in-process for API tests: a fresh database on one
 * engine, the registry under a test master key, the fastify app built by
 * `buildCentreService` (no UDP, no listener: `app.inject`), and API tokens
 * with each right.
 */
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Clock } from '../../core/clock.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import type { ApiRight } from '../../src/database/api-tokens.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { openEventBus } from '../../src/database/open-event-bus.js';
import { buildCentreService, type CentreServiceOptions } from '../../src/service/centre-service.js';
import { MasterKey } from '../../src/storage/master-key.js';
import type { EngineFixture } from './both-engines.js';

/** Cheap scrypt for tokens and PIN hashes in tests. */
export const TEST_HASH_COST = 16;

export interface ServiceRig {
  app: FastifyInstance;
  db: CentreDatabase;
  registry: DeviceRegistry;
  /** Bearer tokens by right. */
  tokens: Record<ApiRight, string>;
  /** `app.inject` with a bearer token (admin unless given) and JSON. */
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, token?: string): Promise<{ status: number; json: any; body: string; headers: Record<string, unknown> }>;
}

export async function serviceRig(t: Test, f: EngineFixture, options: Partial<CentreServiceOptions> & { clock?: Clock } = {}): Promise<ServiceRig> {
  const db = await f.open();
  const clock = options.clock ?? new RealClock();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), clock);
  const bus = await openEventBus(db, clock);
  const app = await buildCentreService({ db, registry, bus, clock, supervision: false, hashCost: TEST_HASH_COST, ...options });
  t.teardown(async () => {
    await app.close();
    await bus.close();
  });
  await app.ready();
  const tokens = {} as Record<ApiRight, string>;
  for (const right of ['read', 'operate', 'admin'] as const) tokens[right] = (await app.centre.tokens.create(`t-${right}`, [right], { actor: 'test' }, clock.now())).secret;
  return {
    app,
    db,
    registry,
    tokens,
    async call(method, url, body, token = tokens.admin) {
      const r = await app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body === undefined ? {} : { payload: body as object }) });
      let json: unknown;
      try {
        json = JSON.parse(r.body);
      } catch {
        json = undefined;
      }
      return { status: r.statusCode, json, body: r.body, headers: r.headers };
    },
  };
}
