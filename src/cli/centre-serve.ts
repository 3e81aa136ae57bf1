import { InvalidArgumentError, type Command } from 'commander';
import { parseDatagramAddress, DatagramAddressError, type DatagramAddress } from '../../core/datagram-port.js';
import { connectLine } from '../adapters/connect-line.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import { RealClock } from '../adapters/real-clock.js';
import { StreamLine } from '../adapters/stream-line.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import { openEventBus } from '../database/open-event-bus.js';
import { buildCentreService } from '../service/centre-service.js';
import { API_PREFIX } from '../service/api-plugin.js';
import { addCentreDbOptions, cliLogger, openDeviceRegistry, type CentreDbOptions } from './centre-options.js';
import { CliError } from './cli-error.js';
import { untilSignal } from './until-signal.js';
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { createPortal } from '../portal/portal-plugin.js';

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

function readTls(cert: string, key: string): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(cert), key: readFileSync(key) };
  } catch (err) {
    throw new CliError(`--tls-cert/--tls-key: ${(err as Error).message}`);
  }
}

/** Default device-side address of `centre serve` (UDP intake). */
export const DEFAULT_UDP = '127.0.0.1:7300';
/** Default portal-side address (HTTP API); a separate address from the device side (spec §5.3: two networks). */
export const DEFAULT_HTTP = '127.0.0.1:7301';
/** The line `centre serve` prints once everything is bound and running. */
export const SERVE_READY_LINE = 'Ctrl-C stops the centre.';
/** Check-in transactions in flight at once on PostgreSQL (each waits for its round trips; SQLite commits one at a time). */
const POSTGRES_INTAKE_CONCURRENCY = 4;

function address(flag: string): (v: string) => DatagramAddress {
  return (v) => {
    try {
      // Port 0 binds a free port (tests, several services on one machine); the printed address says which.
      if (/:0$/.test(v.trim())) return { ...parseDatagramAddress(v.trim().replace(/:0$/, ':1')), port: 0 };
      return parseDatagramAddress(v);
    } catch (err) {
      if (err instanceof DatagramAddressError) throw new InvalidArgumentError(`${flag}: ${err.message}`);
      throw err;
    }
  };
}

interface ServeOptions extends CentreDbOptions {
  udp: DatagramAddress | false;
  http: DatagramAddress | false;
  modem: string[];
  supervision: boolean;
  portal: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

/** `hicom-sim centre serve`: the centre as one long-running process (docs/centre-service.md). */
export function registerServeCommand(centre: Command, program: Command): void {
  addCentreDbOptions(
    centre
      .command('serve')
      .description('run the centre: UDP intake of device check-ins, modem receive mode, supervision and the HTTP API, on one database')
      .option('--udp <host:port>', `device check-ins (spec §5.2) on this UDP address (default ${DEFAULT_UDP})`, address('--udp'))
      .option('--no-udp', 'take no check-ins in this process')
      .option('--http <host:port>', `HTTP API (docs/centre-api.md) on this address (default ${DEFAULT_HTTP})`, address('--http'))
      .option('--no-http', 'no HTTP API in this process')
      .option('--modem <spec>', "receive error reports on a centre modem's DTE (tcp:HOST:PORT, serial:DEVICE[@BAUD], pty:PATH); repeatable", (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--no-supervision', 'leave supervision to another process on the same database')
      .option('--no-portal', 'no web portal on the HTTP side (docs/portal.md), only the API')
      .option('--tls-cert <file>', 'serve the HTTP side (portal and API) as HTTPS with this certificate (PEM); required off loopback')
      .option('--tls-key <file>', 'the private key (PEM) of --tls-cert'),
  ).action(async (opts: ServeOptions) => {
    const logger = cliLogger(program);
    const clock = new RealClock();
    const { db, registry } = await openDeviceRegistry(opts, logger);
    const cleanup: Array<() => Promise<void> | void> = [() => db.close()];
    const undo = async () => {
      for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
    };
    try {
      const bus = await openEventBus(db, clock, logger);
      cleanup.push(() => bus.close());
      const udp = opts.udp === false ? undefined : await UdpDatagramPort.open({ ...(opts.udp ?? parseDatagramAddress(DEFAULT_UDP)), logger, receiveBufferBytes: 8 << 20 }).catch((err: Error) => {
        throw new CliError(`--udp: ${err.message}`);
      });
      if (udp) cleanup.push(() => udp.close());
      const lines = [];
      for (const spec of opts.modem) {
        const stream = await connectLine(spec).catch((err: Error) => {
          throw new CliError(`--modem ${spec}: ${err.message}`);
        });
        lines.push({ line: new StreamLine(stream, spec), name: spec });
      }
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together', 2);
      const httpAddress = opts.http === false ? undefined : (opts.http ?? parseDatagramAddress(DEFAULT_HTTP));
      if (httpAddress && !opts.tlsCert && !isLoopback(httpAddress.host)) throw new CliError(`--http ${httpAddress.host}: plain HTTP only on loopback; give --tls-cert and --tls-key to serve HTTPS there`, 2);
      const https = opts.tlsCert && opts.tlsKey ? readTls(opts.tlsCert, opts.tlsKey) : undefined;
      const portal = opts.portal && httpAddress ? createPortal({ db, clock, secure: https !== undefined }) : undefined;
      const app = await buildCentreService({
        https,
        authenticators: portal ? [portal.authenticator] : [],
        plugins: portal ? [{ plugin: portal.plugin }] : [],
        db,
        registry,
        bus,
        clock,
        logger,
        intake: udp ? { port: udp, random: cryptoRandom, concurrency: db.engine === 'postgres' ? POSTGRES_INTAKE_CONCURRENCY : 1 } : undefined,
        modems: lines.length ? { lines, onEvent: (e, modem) => {
          if (e.type === 'stored') process.stdout.write(`${e.duplicate ? 're-acknowledged' : 'stored'} report ${e.seq} of ${e.systemId} (${e.records} errors) from modem ${modem}\n`);
        } } : undefined,
        supervision: opts.supervision ? {} : false,
      });
      cleanup.push(() => app.close());
      await app.ready();
      process.stdout.write(`centre database: ${db.description}\n`);
      if (udp) process.stdout.write(`UDP intake: ${udp.description}\n`);
      if (httpAddress) {
        const http = httpAddress;
        await app.listen({ host: http.host, port: http.port }).catch((err: NodeJS.ErrnoException) => {
          throw new CliError(`--http ${http.host}:${http.port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`);
        });
        const a = app.server.address();
        const port = typeof a === 'object' && a ? a.port : http.port;
        const origin = `${https ? 'https' : 'http'}://${http.host.includes(':') ? `[${http.host}]` : http.host}:${port}`;
        process.stdout.write(`HTTP API: ${origin}${API_PREFIX} (OpenAPI at ${API_PREFIX}/openapi.json)\n`);
        if (portal) process.stdout.write(`portal: ${origin}/${https ? '' : ' (plain HTTP: loopback only; --tls-cert/--tls-key for HTTPS)'}\n`);
        if (portal && (await portal.access.accounts.count()) === 0) process.stdout.write('portal: nobody can log in yet: hicom-sim centre person add NAME --role manager\n');
      }
      for (const l of lines) process.stdout.write(`modem receive mode: ${l.name}\n`);
      process.stdout.write(`supervision: ${opts.supervision ? 'on' : 'off (another process)'}\n${SERVE_READY_LINE}\n`);
    } catch (err) {
      await undo();
      throw err;
    }
    await untilSignal();
    await undo();
    process.stdout.write('centre stopped\n');
  });
}
