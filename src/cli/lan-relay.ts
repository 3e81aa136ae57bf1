import { InvalidArgumentError, type Command } from 'commander';

/** `--listen HOST:PORT`, checked when the command line is read. */
function hostPort(text: string): string {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new InvalidArgumentError('It must be HOST:PORT (port 0–65535).');
  return text;
}

/**
 * `hicom-sim lab-lan-relay` (hidden): what a lab runs inside a customer
 * LAN's network namespace to forward its PBX's teleservice port to the lab
 * (src/adapters/lan-relay.ts, docs/lan-teleservice.md). Not for people. The
 * relay loads when it runs.
 */
export function register(program: Command): void {
  program
    .command('lab-lan-relay', { hidden: true })
    .description('internal: forward a PBX\'s LAN teleservice port from a network namespace to its lab')
    .requiredOption('--listen <host:port>', 'the PBX\'s LAN address and port', hostPort)
    .requiredOption('--socket <path>', 'the lab\'s Unix socket')
    .action(async (opts: { listen: string; socket: string }) => (await import('./lan-relay-run.js')).lanRelay(opts));
}
