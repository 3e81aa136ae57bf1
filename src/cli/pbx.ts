import type { Command } from 'commander';
import { controlRequest } from '../adapters/control-socket.js';
import { ConfigError, loadConfig } from '../lab/config.js';
import { labControlPath } from '../lab/lab.js';
import { CliError } from './cli-error.js';

/** `hicom-sim pbx …`: hardware actions on a PBX of a running lab, through the lab's control socket. */
export function register(program: Command): void {
  const pbx = program.command('pbx').description('hardware actions on a PBX of a running lab (the lab found by its state directory)');
  pbx
    .command('reload <id>')
    .description('press the reload switch: the PBX restarts with its delivered database (default KDS, SERVICE with its default password, AMHOST, PIN default); the protocol log stays and records the reload')
    .option('-c, --config <file>', 'the configuration the lab runs with (its stateDir locates the lab)')
    .option('-s, --state <dir>', 'the state directory of the running lab (overrides the configuration)')
    .action(async (id: string, opts: { config?: string; state?: string }) => {
      let stateDir = opts.state;
      if (stateDir === undefined) {
        try {
          stateDir = loadConfig(opts.config).stateDir;
        } catch (err) {
          if (err instanceof ConfigError) throw new CliError(err.message, 2);
          throw err;
        }
      }
      let reply;
      try {
        reply = await controlRequest(labControlPath(stateDir), `reload ${id}`);
      } catch (err) {
        throw new CliError(`cannot reach the lab: ${(err as Error).message} (start it with "hicom-sim lab", or give its --state/--config)`, 3);
      }
      if (!reply.ok) throw new CliError(reply.text, reply.code === 404 ? 1 : 2);
      process.stdout.write(`${reply.text}\n`);
    });
}
