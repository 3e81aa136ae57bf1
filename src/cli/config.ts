import type { Command } from 'commander';
import { DEFAULT_CONFIG_YAML, loadConfig, ConfigError } from '../lab/config.js';
import { CliError } from './cli-error.js';

export function register(program: Command): void {
  const config = program.command('config').description('lab configuration files');
  config
    .command('example')
    .description('print the embedded default lab configuration, with comments')
    .action(() => {
      process.stdout.write(DEFAULT_CONFIG_YAML);
    });
  config
    .command('check')
    .argument('<file>', 'configuration file (YAML or JSON)')
    .description('check a configuration file and say what is wrong with it')
    .action((file: string) => {
      try {
        const c = loadConfig(file);
        process.stdout.write(`${file}: OK — ${c.pbxs.length} PBX(s), ${c.modems.length} modem(s), ${c.depots.length} key depot(s), state in ${c.stateDir}\n`);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
    });
}
