import { Command } from 'commander';
import { runLanRelay } from '../adapters/lan-relay.js';
import { CliError } from './cli-error.js';

/**
 * `hicom-sim lab-lan-relay` (hidden): what a lab runs inside a customer
 * LAN's network namespace to forward its PBX's teleservice port to the lab
 * (src/adapters/lan-relay.ts, docs/lan-teleservice.md). Not for people.
 */
export function register(program: Command): void {
  program
    .addCommand(new Command('lab-lan-relay')
      .description('internal: forward a PBX\'s LAN teleservice port from a network namespace to its lab')
      .requiredOption('--listen <host:port>', 'the PBX\'s LAN address and port')
      .requiredOption('--socket <path>', 'the lab\'s Unix socket')
      .action(async (opts: { listen: string; socket: string }) => {
        const m = /^(.+):(\d{1,5})$/.exec(opts.listen);
        if (!m) throw new CliError(`--listen ${opts.listen}: expected HOST:PORT`, 2);
        await runLanRelay({ host: m[1], port: Number(m[2]), socketPath: opts.socket, out: process.stdout, lifeline: process.stdin });
      }), { hidden: true });
}
