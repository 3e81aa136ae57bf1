import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { loadConfig, ConfigError } from '../lab/config.js';
import { Lab } from '../lab/lab.js';
import { parseFaultSpec } from '../network/fault-plan.js';
import { createLogger } from '../logger.js';
import { RealClock } from '../adapters/real-clock.js';
import { CliError } from './cli-error.js';
import { untilSignal } from './until-signal.js';

/** `--fault TARGET=SPEC`: the target ends at the first '=' (targets never contain one); the spec is checked at once. */
function collectFault(value: string, previous: Array<[string, string]>): Array<[string, string]> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CliError(`--fault ${value}: expected LINE=SPEC, e.g. 0800100=busy=3`, 2);
  const target = value.slice(0, eq);
  const spec = value.slice(eq + 1);
  try {
    parseFaultSpec(spec);
  } catch (err) {
    throw new CliError(`--fault ${value}: ${(err as Error).message}`, 2);
  }
  return [...previous, [target, spec]];
}

export function register(program: Command): void {
  program
    .command('lab')
    .description('run a lab in real time: PBXs, network, modems and centre (the embedded default unless --config)')
    .option('-c, --config <file>', 'lab configuration (YAML or JSON); see "hicom-sim config example"')
    .option('-s, --state <dir>', 'state directory (overrides stateDir of the configuration)')
    .option('--no-centre', 'do not run the centre in-process: leave its modem to "hicom-sim centre receive" or your own software')
    .option('-f, --fault <line=spec>', 'inject a network fault, e.g. 0800100=corrupt=0.001 or HSIM-0001:791=busy=2 (repeatable; docs/network.md)', collectFault, [] as Array<[string, string]>)
    .action(async (opts: { config?: string; state?: string; centre: boolean; fault: Array<[string, string]> }) => {
      let config;
      try {
        config = loadConfig(opts.config);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      if (opts.state) config.stateDir = opts.state;
      // The command line adds to (and per line overrides) the configuration's faults.
      if (opts.fault.length) config.faults = { ...config.faults, ...Object.fromEntries(opts.fault) };
      const logger = createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel);
      let lab: Lab;
      try {
        lab = await Lab.start(config, { clock: new RealClock(), logger, runCentre: opts.centre });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      process.stdout.write(`hicom-sim lab running (state in ${config.stateDir})\n`);
      for (const line of lab.describe()) process.stdout.write(`${line}\n`);
      process.stdout.write('Ctrl-C stops the lab.\n');
      await untilSignal();
      await lab.close();
      process.stdout.write('hicom-sim lab stopped\n');
    });
}
