import type { Command } from 'commander';

export function register(program: Command): void {
  const config = program.command('config').description('lab configuration files');
  config
    .command('example')
    .description('print the embedded default lab configuration, with comments')
    .action(async () => (await import('./config-run.js')).example());
  config
    .command('check')
    .argument('<file>', 'configuration file (YAML or JSON)')
    .description('check a configuration file with the lab\'s own validator and say what is wrong with it')
    .action(async (file: string) => (await import('./config-run.js')).check(file));
}
