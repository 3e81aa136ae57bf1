import type { Command } from 'commander';
import ipaddr from 'ipaddr.js';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { DatagramAddress } from '../../core/datagram-port.js';
import { connectLine } from '../adapters/connect-line.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import { RealClock } from '../adapters/real-clock.js';
import { StreamLine } from '../adapters/stream-line.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { EventBus } from '../database/event-bus.js';
import { MaintenanceAccess } from '../database/maintenance-access.js';
import { MaintenanceRecords } from '../database/maintenance-records.js';
import { MaintenanceWindows } from '../database/maintenance-windows.js';
import type { Logger } from '../logger.js';
import type { PlanScheduler } from '../maintenance/plan-scheduler.js';
import type { MasterKey } from '../storage/master-key.js';
import { openEventBus } from '../database/open-event-bus.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';
import { buildCentreService } from '../service/centre-service.js';
import { API_PREFIX } from '../service/api-prefix.js';
import { cliLogger, openDeviceRegistry } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';
import { untilSignal } from './until-signal.js';
import { readInputFile } from './user-files.js';

/** The line `centre serve` prints once everything is bound and running. */
export const SERVE_READY_LINE = 'Ctrl-C stops the centre.';

/** Check-in transactions in flight at once on PostgreSQL (each waits for its round trips; SQLite commits one at a time). */
const POSTGRES_INTAKE_CONCURRENCY = 4;

/** `udp` and `http` have their defaults from the command line (centre-serve.ts) unless --no-udp / --no-http. */
export interface ServeOptions extends CentreDbOptions {
  udp: DatagramAddress | false;
  http: DatagramAddress | false;
  modem: string[];
  maintenanceModem: string[];
  maintenance: boolean;
  supervision: boolean;
  portal: boolean;
  writerThread?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** Seconds; absent: the defaults of docs/portal.md. */
  testCallWait?: number;
  testReportWait?: number;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

/** The TLS pair, or why not: checked before anything opens, so a typo in a path or plain HTTP off loopback is bad input (2). */
function httpsOf(opts: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new ExitError('centre serve: --tls-cert and --tls-key go together', EXIT.usage);
  if (opts.http !== false && opts.tlsCert === undefined && !isLoopback(opts.http.host)) {
    throw new ExitError(`centre serve: --http ${opts.http.host}: plain HTTP only on loopback; give --tls-cert and --tls-key to serve HTTPS there`, EXIT.usage);
  }
  if (opts.tlsCert === undefined || opts.tlsKey === undefined) return undefined;
  const cert = readInputFile(opts.tlsCert);
  const key = readInputFile(opts.tlsKey);
  // Checked here, or fastify's TLS layer would throw its own error from deep inside its start.
  try {
    new X509Certificate(cert);
  } catch {
    throw new ExitError(`centre serve: --tls-cert ${opts.tlsCert}: not a PEM certificate`, EXIT.usage);
  }
  try {
    createPrivateKey(key);
  } catch {
    throw new ExitError(`centre serve: --tls-key ${opts.tlsKey}: not a PEM private key (or one protected by a passphrase)`, EXIT.usage);
  }
  return { cert, key };
}

/** The maintenance scheduler of this centre: every plan in its windows, visits by the real visitor on `--maintenance-modem` and the LAN. */
async function startScheduler(opts: ServeOptions, c: { db: CentreDatabase; master: MasterKey; bus: EventBus; clock: RealClock; logger: Logger }): Promise<PlanScheduler> {
  const [{ PlanScheduler }, { NetworkVisitLines }] = await Promise.all([import('../maintenance/plan-scheduler.js'), import('../maintenance/network-visit-lines.js')]);
  const lines = new NetworkVisitLines(opts.maintenanceModem);
  const log = c.logger.child({ component: 'maintenance' });
  const scheduler = new PlanScheduler({
    clock: c.clock,
    records: new MaintenanceRecords(c.db),
    windows: new MaintenanceWindows(c.db),
    // The visitor (admin sessions, KDS vault, archive shelf, APS library) loads when a window opens, not with every start.
    visitorFor: async (devices) => (await import('./maintenance-visit-run.js')).sessionVisitor({ db: c.db, master: c.master, state: opts.state, lines, clock: c.clock }, devices, (text) => log.warn(text.trim())),
    modems: lines.modemCount,
    bus: c.bus,
    logger: log,
    onWindowEnd: (plan, timeZone, s) => process.stdout.write(`maintenance window of ${plan.name} (${timeZone}) ended: ${s.done} done, ${s.failed} failed, ${s.cut} cut, ${s.notVisited} not visited, ${s.busySkips} busy skips\n`),
  });
  await scheduler.start();
  return scheduler;
}

/** `hicom-sim centre serve`: an address in use or a modem that does not answer is no connection (3); everything bound so far is released. */
export async function serve(program: Command, opts: ServeOptions): Promise<void> {
  const https = httpsOf(opts);
  // The writer thread's commits come from a second connection, which the SQLite live-event bus cannot tell from another process's: open live streams would judge their sessions again four times a second.
  if (opts.writerThread && opts.http !== false) throw new ExitError('centre serve: --writer-thread is for an intake-only process: give --no-http too', EXIT.usage);
  // Receive mode holds its modem's DTE for the reports; a visit dialling out on it would take it from the receiver.
  const shared = opts.maintenanceModem.filter((m) => opts.modem.includes(m));
  if (shared.length > 0) throw new ExitError(`centre serve: ${shared.join(', ')} is given to both --modem and --maintenance-modem: a modem in receive mode cannot dial visits (the function test's report needs it free); give each modem one job`, EXIT.usage);
  const logger = cliLogger(program);
  const clock = new RealClock();
  const { db, registry, master } = await openDeviceRegistry(opts, logger);
  const cleanup: Array<() => Promise<void> | void> = [() => db.close()];
  const undo = async () => {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const bus = await openEventBus(db, clock, logger);
    cleanup.push(() => bus.close());
    const udp = opts.udp === false ? undefined : await UdpDatagramPort.open({ ...opts.udp, logger, receiveBufferBytes: 8 << 20 }).catch((err: Error) => {
      throw new ExitError(`--udp: ${ioReason(err)}`, EXIT.connection);
    });
    if (udp) cleanup.push(() => udp.close());
    const lines = [];
    for (const spec of opts.modem) {
      const stream = await connectLine(spec).catch((err: Error) => {
        throw new ExitError(`--modem ${spec}: ${err.message}`, err.name === 'LineSpecError' ? EXIT.usage : EXIT.connection);
      });
      lines.push({ line: new StreamLine(stream, spec), name: spec });
    }
    // The portal (its pages, fastify plugins, exports) loads only where it is served.
    const portal = opts.portal && opts.http !== false ? (await import('../portal/portal-plugin.js')).createPortal({ db, clock, secure: https !== undefined, testCallWaitMs: opts.testCallWait === undefined ? undefined : opts.testCallWait * 1000 }) : undefined;
    const app = await buildCentreService({
      https,
      authenticators: portal ? [portal.authenticator] : [],
      plugins: portal ? [{ plugin: portal.plugin }] : [],
      api: opts.http !== false,
      db,
      registry,
      // How the centre reaches each PBX (maintenance visits, the portal's test by modem), secrets sealed under the master key.
      deviceAccess: new MaintenanceAccess(db, master),
      bus,
      clock,
      logger,
      intake: udp ? { port: udp, random: cryptoRandom, concurrency: db.engine === 'postgres' ? POSTGRES_INTAKE_CONCURRENCY : 1, writerThread: opts.writerThread === true } : undefined,
      modems: lines.length ? { lines, reportWaitMs: opts.testReportWait === undefined ? undefined : opts.testReportWait * 1000, onEvent: (e, modem) => {
        if (e.type === 'stored') process.stdout.write(`${e.duplicate ? 're-acknowledged' : 'stored'} report ${e.seq} of ${e.systemId} (${e.records} errors) from modem ${modem}\n`);
      } } : undefined,
      supervision: opts.supervision ? {} : false,
    });
    cleanup.push(() => app.close());
    await app.ready();
    process.stdout.write(`centre database: ${db.description}\n`);
    if (udp) process.stdout.write(`UDP intake: ${udp.description}\n`);
    if (opts.http !== false) {
      const http = opts.http;
      await app.listen({ host: http.host, port: http.port }).catch((err: NodeJS.ErrnoException) => {
        throw new ExitError(`--http ${http.host}:${http.port}: ${ioReason(err)}`, EXIT.connection);
      });
      const a = app.server.address();
      const port = typeof a === 'object' && a ? a.port : http.port;
      const origin = `${https ? 'https' : 'http'}://${http.host.includes(':') ? `[${http.host}]` : http.host}:${port}`;
      process.stdout.write(`HTTP API: ${origin}${API_PREFIX} (OpenAPI at ${API_PREFIX}/openapi.json)\n`);
      if (portal) process.stdout.write(`portal: ${origin}/${https ? '' : ' (plain HTTP: loopback only; --tls-cert/--tls-key for HTTPS)'}\n`);
      if (portal && (await portal.access.accounts.count()) === 0) process.stdout.write('portal: nobody can log in yet: hicom-sim centre person add NAME --role manager\n');
    }
    for (const l of lines) process.stdout.write(`modem receive mode: ${l.name}\n`);
    process.stdout.write(`supervision: ${opts.supervision ? 'on' : 'off (another process)'}\n`);
    if (opts.maintenance) {
      const scheduler = await startScheduler(opts, { db, master, bus, clock, logger });
      cleanup.push(() => scheduler.stop());
      const plans = scheduler.scheduled();
      process.stdout.write(`maintenance scheduler: ${new Set(plans.map((p) => p.plan)).size} plan(s); modems for visits: ${opts.maintenanceModem.join(', ') || 'none (visits by LAN only)'}\n`);
    } else {
      process.stdout.write('maintenance scheduler: off (another process)\n');
    }
  } catch (err) {
    await undo();
    throw err;
  }
  // Handlers before the ready line, so a signal sent on reading it finds them (see lab-run.ts).
  const stopped = untilSignal();
  process.stdout.write(`${SERVE_READY_LINE}\n`);
  await stopped;
  await undo();
  process.stdout.write('centre stopped\n');
}
