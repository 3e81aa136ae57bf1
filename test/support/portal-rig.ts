/**
 * The centre service with the portal plugin, in-process (`app.inject`), on a
 * fresh database of one engine: people are added straight into the tables,
 * and `login` walks the login form as a browser would (CSRF cookie and token,
 * then the session cookie).
 */
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { RealClock } from '../../src/adapters/real-clock.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { openEventBus } from '../../src/database/open-event-bus.js';
import type { PartnerKind, PortalRole } from '../../src/database/schema.js';
import { hashPassword } from '../../src/portal/password-hash.js';
import { createPortal, type Portal } from '../../src/portal/portal-plugin.js';
import { buildCentreService } from '../../src/service/centre-service.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { MaintenanceAccess } from '../../src/database/maintenance-access.js';
import type { EngineFixture } from './both-engines.js';
import { TEST_HASH_COST } from './centre-service-rig.js';

export const PASSWORD = 'correct horse 42';

export interface Browserless {
  /** Cookie header for the next requests. */
  cookie: string;
  /** The CSRF token of the last page read. */
  csrf: string;
  request(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
}

export interface PortalRig {
  app: FastifyInstance;
  db: CentreDatabase;
  registry: DeviceRegistry;
  portal: Portal;
  clock: RealClock;
  addPerson(name: string, role: PortalRole, partnerKind?: PartnerKind, networks?: string): Promise<number>;
  /** A client with no session, holding the CSRF cookie and token of the login page. */
  anonymous(remoteAddress?: string): Promise<Browserless>;
  login(name: string, password?: string, remoteAddress?: string): Promise<Browserless>;
}

export function formBody(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  return p.toString();
}

export async function portalRig(t: Test, f: EngineFixture, options: { ratePerMinute?: number; liveRejudgeMs?: number } = {}): Promise<PortalRig> {
  const db = await f.open();
  const clock = new RealClock();
  const master = MasterKey.load(f.stateDir, {});
  const registry = await DeviceRegistry.open(db, master, clock);
  const bus = await openEventBus(db, clock);
  const portal = createPortal({ db, clock, secure: false, hashCost: TEST_HASH_COST, ratePerMinute: options.ratePerMinute });
  const app = await buildCentreService({ db, registry, bus, clock, supervision: false, hashCost: TEST_HASH_COST, liveRejudgeMs: options.liveRejudgeMs, authenticators: [portal.authenticator], plugins: [{ plugin: portal.plugin }], deviceAccess: new MaintenanceAccess(db, master) });
  t.teardown(async () => {
    await app.close();
    await bus.close();
  });
  await app.ready();
  const hash = await hashPassword(PASSWORD, TEST_HASH_COST);
  const client = (remoteAddress: string): Browserless => {
    const c: Browserless = {
      cookie: '',
      csrf: '',
      async request(method, url, form, headers = {}) {
        const r = await app.inject({ method, url, remoteAddress, headers: { cookie: c.cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers }, ...(form ? { payload: formBody(form) } : {}) });
        const jar = new Map(c.cookie.split('; ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
        const set = r.headers['set-cookie'];
        for (const line of Array.isArray(set) ? set : set ? [set] : []) {
          const [kv] = line.split(';');
          const k = kv.slice(0, kv.indexOf('='));
          const v = kv.slice(kv.indexOf('=') + 1);
          if (v === '' || /Max-Age=0/.test(line)) jar.delete(k);
          else jar.set(k, v);
        }
        c.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const token = /name="_csrf" value="([^"]+)"/.exec(r.body);
        if (token) c.csrf = token[1];
        return { status: r.statusCode, body: r.body, headers: r.headers };
      },
    };
    return c;
  };
  const rig: PortalRig = {
    app,
    db,
    registry,
    portal,
    clock,
    async addPerson(name, role, partnerKind = '', networks = '') {
      return (await portal.access.accounts.create({ name, displayName: name, role, partnerKind, passwordHash: hash, networks }, { actor: 'cli:test' }, clock.now())).id;
    },
    async anonymous(remoteAddress = '127.0.0.1') {
      const c = client(remoteAddress);
      await c.request('GET', '/login');
      return c;
    },
    async login(name, password = PASSWORD, remoteAddress = '127.0.0.1') {
      const c = await rig.anonymous(remoteAddress);
      const r = await c.request('POST', '/login', { _csrf: c.csrf, name, password });
      if (r.status !== 303) throw new Error(`login of ${name} answered ${r.status}: ${r.body.slice(0, 300)}`);
      await c.request('GET', '/fleet');
      return c;
    },
  };
  return rig;
}
