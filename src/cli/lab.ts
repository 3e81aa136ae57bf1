import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { loadConfig, ConfigError } from '../config.js';
import { Lab } from '../lab.js';
import { createLogger } from '../logger.js';
import { RealClock } from '../real-clock.js';
import { CliError } from './program.js';

export function register(program: Command): void {
  program
    .command('lab')
    .description('run a lab in real time: PBXs, network, modems and centre (the embedded default unless --config)')
    .option('-c, --config <file>', 'lab configuration (YAML or JSON); see "hicom-sim config example"')
    .option('-s, --state <dir>', 'state directory (overrides stateDir of the configuration)')
    .action(async (opts: { config?: string; state?: string }) => {
      let config;
      try {
        config = loadConfig(opts.config);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      if (opts.state) config.stateDir = opts.state;
      const logger = createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel);
      let lab: Lab;
      try {
        lab = await Lab.start(config, { clock: new RealClock(), logger });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      process.stdout.write(`hicom-sim lab running (state in ${config.stateDir})\n`);
      for (const line of lab.describe()) process.stdout.write(`${line}\n`);
      process.stdout.write('Ctrl-C stops the lab.\n');
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await lab.close();
      process.stdout.write('hicom-sim lab stopped\n');
    });
}
