/**
 * Portal figures (docs/perf.md "## Portal", issue 12), in-process, on the
 * centre service with the portal plugin as `centre serve` builds it:
 *
 * 1. The fleet overview for people who see 10,000 devices (the manager; an
 *    installer holding 10,000 grants, so the grant filter does real work),
 *    page 1, a search, a state filter and the last page, on SQLite and on
 *    PostgreSQL (a throwaway cluster of this run): server time
 *    (`app.inject`: access hook, session, SQL, template) p50/p99, beside the
 *    same route on a fleet of 50 devices and the login page (the service's
 *    floor: hook, CSRF token, template, no data), all in one run, requests of
 *    every case on both engines interleaved. PostgreSQL twice: analyzed (a
 *    centre as it runs) and never analyzed (a database just filled, before
 *    autovacuum's first ANALYZE), the plan the grant filter once lost on.
 * 2. SSE fan-out (SQLite): 1,000 browsers' live streams (`/live` over real loopback
 *    HTTP, each its own session of an installer granted the device) and one
 *    new event: time from the event being stored until the last stream has it,
 *    beside a bare node:http server writing the same event line to 1,000
 *    held responses (the transport floor), with the same clients; rounds
 *    alternate, median of 5 quoted.
 *
 * Run: npx tsc -p . && node dist/bench/portal.js
 */
import { request as httpRequest, createServer, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RealClock } from '../src/adapters/real-clock.js';
import { EVENTS_TOPIC } from '../src/centre/supervision-store.js';
import type { CentreDatabase } from '../src/database/centre-database.js';
import { parseDatabaseUrl } from '../src/database/database-url.js';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { EventLog } from '../src/database/event-log.js';
import { openDatabase } from '../src/database/open-database.js';
import { openEventBus } from '../src/database/open-event-bus.js';
import { PortalAccounts } from '../src/database/portal-accounts.js';
import { rightsMask } from '../src/database/portal-rights.js';
import { hashPassword } from '../src/portal/password-hash.js';
import { createPortal, type Portal } from '../src/portal/portal-plugin.js';
import { buildCentreService } from '../src/service/centre-service.js';
import { MasterKey } from '../src/storage/master-key.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { median, percentile } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const BIG = 10_000;
const SMALL = 50;
const REQUESTS = 200;
const CLIENTS = Number(process.env.HICOM_BENCH_CLIENTS ?? 1000);
const ROUNDS = 5;
/** Low scrypt cost: the benchmark measures pages, not password hashing. */
const HASH_COST = 16;
const PASSWORD = 'bench password 1';
bound(`portal (overview of ${BIG.toLocaleString('en-US')} devices on SQLite and PostgreSQL × ${REQUESTS} requests per case; SSE fan-out to ${CLIENTS} clients × ${ROUNDS} rounds)`, 720);
const cluster = await startPostgresCluster({ durable: false });

interface Centre {
  app: FastifyInstance;
  db: CentreDatabase;
  portal: Portal;
  master: MasterKey;
  close(): Promise<void>;
}

/** The tables a filled centre holds, in an order their references allow. */
const COPIED = ['settings', 'devices', 'supervision_states', 'events', 'portal_accounts', 'portal_grants'] as const;

/**
 * The same fleet on PostgreSQL: the rows of a filled centre copied in
 * batches (ten thousand registrations one transaction each would take most
 * of the bound on a loaded machine), under the same master key.
 */
async function copyCentre(from: Centre, statistics: Statistics): Promise<{ location: ReturnType<typeof parseDatabaseUrl>; master: MasterKey }> {
  const location = parseDatabaseUrl(await cluster.createDatabase('portal'));
  const db = await openDatabase(location, { durable: false });
  // Held fresh: autovacuum would ANALYZE the copy within a minute or two, in the middle of the run.
  if (statistics === 'none') for (const table of COPIED) await sql`alter table ${sql.table(table)} set (autovacuum_enabled = false)`.execute(db.kysely);
  for (const table of COPIED) {
    const rows = (await from.db.kysely.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
    for (let i = 0; i < rows.length; i += 500) {
      await db.kysely.insertInto(table).values(rows.slice(i, i + 500) as never).onConflict((oc) => oc.doNothing()).execute();
    }
  }
  // The copied ids were given explicitly: move the sequences past them.
  for (const table of ['events', 'portal_accounts'] as const) await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(db.kysely);
  if (statistics === 'analyzed') await sql`analyze`.execute(db.kysely);
  await db.close();
  return { location, master: from.master };
}

/**
 * What the planner knows of a PostgreSQL copy: `analyzed` is a centre as it
 * runs (autovacuum analyzes a table once a tenth of it changed, within a
 * minute or two); `none` is a database just filled, before that first
 * ANALYZE (autovacuum held off for the run).
 */
type Statistics = 'analyzed' | 'none';

const PRESENCE = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'late', 'missing', 'unknown', 'ok'] as const;

/**
 * A centre with `n` devices in a mix of states (mostly ok, some late,
 * missing, never seen, test overdue, alarms), a manager and an installer
 * granted every device. Filled without fsync per commit (`durable: false`),
 * then opened again as `centre serve` opens it.
 */
async function centreWith(n: number, copyOf?: Centre, statistics: Statistics = 'analyzed'): Promise<Centre> {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-bench-portal-'));
  const copied = copyOf ? await copyCentre(copyOf, statistics) : undefined;
  const location = copied?.location ?? parseDatabaseUrl(`sqlite:${join(dir, 'centre.db')}`);
  const clock = new RealClock();
  const master = copied?.master ?? MasterKey.load(dir, {});
  const now = clock.now();
  if (!copied) {
    const db = await openDatabase(location, { durable: false });
    const registry = await DeviceRegistry.open(db, master, clock);
    const events = new EventLog(db);
    for (let i = 0; i < n; i++) {
      const id = `${i % 4 === 0 ? 'SD' : 'HSIM'}-${String(i).padStart(5, '0')}`;
      await registry.add(id, i % 4 === 0 ? 'key-depot' : 'pbx', { customerName: `Kunde ${i}`, siteName: `Standort ${i % 97}` }, { actor: 'bench' });
      const presence = PRESENCE[i % PRESENCE.length];
      await db.kysely
        .updateTable('supervision_states')
        .set({ presence, presence_since: now - 3600_000, test: i % 13 === 0 ? 'overdue' : 'ok', last_check_in_at: presence === 'unknown' ? null : now - (i % 600) * 1000 })
        .where('device_id', '=', id)
        .execute();
      if (i % 50 === 7) await events.add({ deviceId: id, source: 'device', type: 'class-b-error', occurredAt: now, receivedAt: now, data: { code: 42 } });
    }
    const accounts = new PortalAccounts(db);
    const hash = await hashPassword(PASSWORD, HASH_COST);
    await accounts.create({ name: 'chef', displayName: 'Leitstelle', role: 'manager', partnerKind: '', passwordHash: hash, networks: '' }, { actor: 'bench' }, now);
    const inst = await accounts.create({ name: 'inst', displayName: 'Installer', role: 'partner', partnerKind: 'installer', passwordHash: hash, networks: '' }, { actor: 'bench' }, now);
    const ids = (await db.kysely.selectFrom('devices').select('id').execute()).map((r) => r.id);
    const rights = rightsMask(['see-status', 'see-history', 'live']);
    for (let i = 0; i < ids.length; i += 500) {
      await db.kysely
        .insertInto('portal_grants')
        .values(ids.slice(i, i + 500).map((device_id) => ({ account_id: inst.id, device_id, rights, networks: '', created_at: now, created_by: 'bench' })))
        .execute();
    }
    await db.close();
  }
  const db = await openDatabase(location);
  const registry = await DeviceRegistry.open(db, master, clock);
  const bus = await openEventBus(db, clock);
  const portal = createPortal({ db, clock, secure: false, hashCost: HASH_COST, ratePerMinute: 10_000_000 });
  const app = await buildCentreService({ db, registry, bus, clock, supervision: false, hashCost: HASH_COST, authenticators: [portal.authenticator], plugins: [{ plugin: portal.plugin }] });
  await app.ready();
  return {
    app,
    db,
    portal,
    master,
    async close() {
      await app.close();
      await bus.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sessionCookie(c: Centre, name: string): Promise<string> {
  const r = await c.portal.access.login(name, PASSWORD, '127.0.0.1', 'bench');
  if (!r.ok) throw new Error(`login of ${name}: ${r.reason}`);
  return `hcs_session=${r.token}`;
}

const ms = (x: number): string => x.toFixed(2);

// ---- 1. the overview ----

const big = await centreWith(BIG);
const small = await centreWith(SMALL);
const bigManager = await sessionCookie(big, 'chef');
const bigInstaller = await sessionCookie(big, 'inst');
const smallManager = await sessionCookie(small, 'chef');
const pgBig = await centreWith(BIG, big);
const pgSmall = await centreWith(SMALL, small);
const pgFresh = await centreWith(BIG, big, 'none');
const pg = { manager: await sessionCookie(pgBig, 'chef'), installer: await sessionCookie(pgBig, 'inst'), small: await sessionCookie(pgSmall, 'chef') };
const fresh = { manager: await sessionCookie(pgFresh, 'chef'), installer: await sessionCookie(pgFresh, 'inst') };

interface Case {
  name: string;
  app: FastifyInstance;
  url: string;
  cookie: string;
  /** What the page must show, so a refusal or an empty page is not measured as fast. */
  expect: RegExp;
}
const cases: Case[] = [
  { name: `manager, ${BIG} devices, page 1`, app: big.app, url: '/fleet', cookie: bigManager, expect: /10000 devices, most urgent first/ },
  { name: `installer with ${BIG} grants, page 1`, app: big.app, url: '/fleet', cookie: bigInstaller, expect: /data-device="/ },
  { name: `manager, ${BIG} devices, search`, app: big.app, url: '/fleet?q=kunde%2042', cookie: bigManager, expect: /data-device="/ },
  { name: `manager, ${BIG} devices, state late, page 3`, app: big.app, url: '/fleet?state=late&page=3', cookie: bigManager, expect: /data-device="/ },
  { name: `manager, ${BIG} devices, last page`, app: big.app, url: '/fleet?page=200', cookie: bigManager, expect: /data-device="/ },
  { name: `baseline: manager, ${SMALL} devices, page 1`, app: small.app, url: '/fleet', cookie: smallManager, expect: /data-device="/ },
  { name: 'baseline: the login page (no data)', app: big.app, url: '/login', cookie: '', expect: /name="_csrf"/ },
  { name: `PostgreSQL: manager, ${BIG} devices, page 1`, app: pgBig.app, url: '/fleet', cookie: pg.manager, expect: /10000 devices, most urgent first/ },
  { name: `PostgreSQL: installer with ${BIG} grants`, app: pgBig.app, url: '/fleet', cookie: pg.installer, expect: /data-device="/ },
  { name: `PostgreSQL: manager, ${BIG}, search`, app: pgBig.app, url: '/fleet?q=kunde%2042', cookie: pg.manager, expect: /data-device="/ },
  { name: `PostgreSQL: manager, ${BIG}, late, page 3`, app: pgBig.app, url: '/fleet?state=late&page=3', cookie: pg.manager, expect: /data-device="/ },
  { name: `PostgreSQL: manager, ${BIG}, last page`, app: pgBig.app, url: '/fleet?page=200', cookie: pg.manager, expect: /data-device="/ },
  { name: `PostgreSQL baseline: ${SMALL} devices, page 1`, app: pgSmall.app, url: '/fleet', cookie: pg.small, expect: /data-device="/ },
  { name: `PG never analyzed: manager, ${BIG}, page 1`, app: pgFresh.app, url: '/fleet', cookie: fresh.manager, expect: /10000 devices, most urgent first/ },
  { name: `PG never analyzed: installer, ${BIG} grants`, app: pgFresh.app, url: '/fleet', cookie: fresh.installer, expect: /data-device="/ },
];
for (const c of cases) {
  const r = await c.app.inject({ method: 'GET', url: c.url, headers: { cookie: c.cookie } });
  if (r.statusCode !== 200 || !c.expect.test(r.body)) throw new Error(`${c.name}: ${c.url} answered ${r.statusCode}: ${r.body.slice(0, 200)}`);
}
const times = cases.map(() => [] as number[]);
for (let i = 0; i < REQUESTS; i++) {
  for (const [k, c] of cases.entries()) {
    const t0 = performance.now();
    const r = await c.app.inject({ method: 'GET', url: c.url, headers: { cookie: c.cookie } });
    times[k].push(performance.now() - t0);
    if (r.statusCode !== 200) throw new Error(`${c.name}: ${r.statusCode}`);
  }
}
process.stdout.write(`fleet overview, server time per request (app.inject, SQLite unless named, ${REQUESTS} requests per case, interleaved):\n`);
for (const [k, c] of cases.entries()) process.stdout.write(`  ${c.name.padEnd(44)} p50 ${ms(percentile(times[k], 0.5)).padStart(7)} ms   p99 ${ms(percentile(times[k], 0.99)).padStart(7)} ms\n`);
await small.close();
await pgSmall.close();
await pgBig.close();
await pgFresh.close();

// ---- 2. SSE fan-out ----

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

/** `CLIENTS` streams on `port`: resolves when all answer 200; `until(id)` resolves when every one has seen `id: <id>`. */
async function openStreams(port: number, path: string, cookies: readonly string[]) {
  const seen: string[] = cookies.map(() => '');
  const responses: IncomingMessage[] = [];
  let waiting: { id: string; left: Set<number>; done: () => void } | undefined;
  // In batches: a thousand connects at once overflow the listen backlog of a loaded machine.
  for (let from = 0; from < cookies.length; from += 100) {
    await Promise.all(
      cookies.slice(from, from + 100).map(
        (cookie, j) =>
          new Promise<void>((resolve, reject) => {
            const k = from + j;
            const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { cookie, accept: 'text/event-stream' } }, (res) => {
              if (res.statusCode !== 200) return reject(new Error(`stream ${k}: ${res.statusCode}`));
              responses.push(res);
              res.setEncoding('utf8');
              res.on('data', (d: string) => {
                seen[k] += d;
                if (waiting && waiting.left.has(k) && seen[k].includes(`id: ${waiting.id}\n`)) {
                  waiting.left.delete(k);
                  seen[k] = '';
                  if (waiting.left.size === 0) waiting.done();
                }
              });
              resolve();
            });
            req.on('error', reject);
            req.end();
          }),
      ),
    );
  }
  return {
    until(id: string): Promise<void> {
      return new Promise((done) => {
        waiting = { id, left: new Set(cookies.map((_c, k) => k).filter((k) => !seen[k].includes(`id: ${id}\n`))), done };
        if (waiting.left.size === 0) done();
      });
    },
    close() {
      for (const r of responses) r.destroy();
    },
  };
}

// Ours: the portal's /live over real HTTP, each stream its own session of the installer.
const address = await big.app.listen({ host: '127.0.0.1', port: 0 });
const portalPort = Number(new URL(address).port);
const cookies: string[] = [];
for (let k = 0; k < CLIENTS; k++) cookies.push(await sessionCookie(big, 'inst'));
const ours = await openStreams(portalPort, '/live', cookies);
const target = (await big.db.kysely.selectFrom('devices').select('id').orderBy('id').executeTakeFirstOrThrow()).id;

// Baseline: a bare server holding the same number of event streams and writing one line to each.
const held: ServerResponse[] = [];
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  res.write(': live\n\n');
  held.push(res);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePort = (bare.address() as AddressInfo).port;
const bareStreams = await openStreams(barePort, '/live', cookies.map(() => ''));

const fanOut = { ours: [] as number[], bare: [] as number[] };
let bareId = 0;
for (let round = 0; round < ROUNDS; round++) {
  {
    const t0 = performance.now();
    const now = Date.now();
    const id = await big.app.centre.events.add({ deviceId: target, source: 'device', type: 'class-b-error', occurredAt: now, receivedAt: now, data: { code: 17, text: `round ${round}` } });
    const all = ours.until(String(id));
    await big.app.centre.bus.publish({ topic: EVENTS_TOPIC });
    await all;
    fanOut.ours.push(performance.now() - t0);
  }
  {
    const t0 = performance.now();
    const id = String(++bareId);
    const all = bareStreams.until(id);
    const line = `id: ${id}\nevent: event\ndata: ${JSON.stringify({ id: bareId, deviceId: target, type: 'class-b-error', text: `code 17: round ${round}` })}\n\n`;
    for (const res of held) res.write(line);
    await all;
    fanOut.bare.push(performance.now() - t0);
  }
}
process.stdout.write(`SSE fan-out of one event to ${CLIENTS} live streams over loopback HTTP (clients in the same process, median of ${ROUNDS} alternating rounds):\n`);
process.stdout.write(`  portal /live (event stored → last stream has it)   ${ms(median(fanOut.ours)).padStart(8)} ms   (rounds: ${fanOut.ours.map(ms).join(', ')})\n`);
process.stdout.write(`  baseline: bare node:http writing the same line      ${ms(median(fanOut.bare)).padStart(8)} ms   (rounds: ${fanOut.bare.map(ms).join(', ')})\n`);

ours.close();
bareStreams.close();
for (const r of held) r.end();
bare.close();
await big.close();
agent.destroy();
cluster.stop();
