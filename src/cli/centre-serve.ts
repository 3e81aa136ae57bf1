import { InvalidArgumentError, type Command } from 'commander';
import { parseBindAddress, parseDatagramAddress, DatagramAddressError, type DatagramAddress } from '../../core/datagram-port.js';
import type { ServeOptions } from './centre-serve-run.js';
import { addCentreDbOptions } from './centre-options.js';
import { lineSpec, numberIn } from './option-values.js';

/** Default device-side address of `centre serve` (UDP intake). */
export const DEFAULT_UDP = '127.0.0.1:7300';
/** Default portal-side address (HTTP API); a separate address from the device side (spec §5.3: two networks). */
export const DEFAULT_HTTP = '127.0.0.1:7301';

function address(flag: string): (v: string) => DatagramAddress {
  return (v) => {
    try {
      // Port 0 binds a free port (tests, several services on one machine); the printed address says which.
      return parseBindAddress(v);
    } catch (err) {
      if (err instanceof DatagramAddressError) throw new InvalidArgumentError(`${flag}: ${err.message}`);
      throw err;
    }
  };
}

/** `hicom-sim centre serve`: the centre as one long-running process (docs/centre-service.md); its module loads when it runs. */
export function registerServeCommand(centre: Command, program: Command): void {
  addCentreDbOptions(
    centre
      .command('serve')
      .description('run the centre: UDP intake of device check-ins, modem receive mode, supervision and the HTTP API, on one database')
      .option('--udp <host:port>', 'device check-ins (spec §5.2) on this UDP address', address('--udp'), parseDatagramAddress(DEFAULT_UDP))
      .option('--no-udp', 'take no check-ins in this process')
      .option('--http <host:port>', 'HTTP API (docs/centre-api.md) on this address', address('--http'), parseDatagramAddress(DEFAULT_HTTP))
      .option('--no-http', 'no HTTP API in this process')
      .option('--modem <spec>', "receive error reports on a centre modem's DTE (tcp:HOST:PORT, serial:DEVICE[@BAUD], pty:PATH); repeatable", (v: string, acc: string[]) => [...acc, lineSpec(v)], [] as string[])
      .option('--maintenance-modem <spec>', "a centre modem's DTE the maintenance scheduler dials visits on (as --modem); repeatable; not one of --modem's", (v: string, acc: string[]) => [...acc, lineSpec(v)], [] as string[])
      .option('--no-maintenance', 'run no maintenance plans in this process (another centre on the database does)')
      .option('--writer-thread', 'SQLite, with --no-http: commit check-ins in a writer thread beside the intake (a second core)')
      .option('--no-supervision', 'leave supervision to another process on the same database')
      .option('--no-portal', 'no web portal on the HTTP side (docs/portal.md), only the API')
      .option('--tls-cert <file>', 'serve the HTTP side (portal and API) as HTTPS with this certificate (PEM); required off loopback')
      .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
      .option('--test-call-wait <s>', 'portal: seconds a device page waits for the outcome of a "test now" call by modem before it says none came (default: the longest a call can take, 230 s, by callback 350 s)', numberIn(1, 3600))
      .option('--test-report-wait <s>', "with --modem: seconds a test by modem entered in the PBX waits for its report before the page says it did not come (default: the PBX's signaling interval + 120 s)", numberIn(1, 24 * 3600)),
  ).action(async (opts: ServeOptions) => (await import('./centre-serve-run.js')).serve(program, opts));
}
