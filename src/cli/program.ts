import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT, ExitError } from '../exit-codes.js';
import { commandLabel, commandOf, commandPath } from './cli-failure.js';
import { register as aps } from './aps.js';
import { register as archive } from './archive.js';
import { register as assistant } from './assistant.js';
import { register as card } from './card.js';
import { register as centre } from './centre.js';
import { register as config } from './config.js';
import { register as dtmf } from './dtmf.js';
import { register as fleet } from './fleet.js';
import { register as kds } from './kds.js';
import { register as lab } from './lab.js';
import { register as lanRelay } from './lan-relay.js';
import { register as maintenance } from './maintenance.js';
import { register as pbx } from './pbx.js';
import { register as report } from './report.js';
import { register as revisor } from './revisor.js';
import { register as scenario } from './scenario.js';

/**
 * The `hicom-sim` program: every command with its description, options and
 * arguments, registered cheaply. A command's module (and its heavy imports:
 * firmware, modems, pino, serialport) loads only when the command runs — each
 * `register` here declares, its action imports `<name>-run.ts` — so
 * `hicom-sim --version` or a small offline tool starts in a blink.
 */
export type Register = (program: Command) => void;

const REGISTERS: readonly Register[] = [lab, config, kds, dtmf, report, archive, revisor, assistant, aps, centre, scenario, fleet, pbx, card, lanRelay, maintenance];

function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next level: src/cli/ in the sources, dist/src/cli/ when built
    }
  }
  return '0.0.0';
}

/** Every command that runs something (no group), depth first: what the bad-input test walks. */
export function leafCommands(program: Command): Command[] {
  return program.commands.flatMap((c) => (c.commands.length ? leafCommands(c) : [c]));
}

export function buildProgram(): Command {
  const program = new Command('hicom-sim')
    .description('Hicom-style PBX, its IMOD and X.75 modems, the telephone network and the service centre — over serial ports, ptys and TCP')
    .version(packageVersion())
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addHelpText('after', '\nExit codes: 0 ok, 1 the answer is no (ERROR reply, failed scenario), 2 usage or bad input, 3 no connection, 4 dial failed, 5 access refused, 70 a bug (docs/exit-codes.md).')
    // Errors are thrown, not printed, so that cli-failure.ts turns each into one line and its exit code.
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .helpCommand(false);
  for (const register of REGISTERS) register(program);
  registerHelp(program);
  program.hook('preAction', (_root, action) => refuseEmptyValues(action));
  return program;
}

/** `hicom-sim help [command…]`: that command's help, or an error for one that does not exist. */
function registerHelp(program: Command): void {
  program
    .command('help')
    .description('show the help of a command, e.g. "hicom-sim help kds save"')
    .argument('[command...]', 'the command')
    .action((words: string[]) => {
      const cmd = commandOf(program, words);
      const known = commandPath(cmd).split(' ').length - 1;
      if (known < words.length) throw new ExitError(`help: unknown command "${words.slice(0, known + 1).join(' ')}"; commands: ${cmd.createHelp().visibleCommands(cmd).map((c) => c.name()).join(', ')}`, EXIT.usage);
      process.stdout.write(cmd.helpInformation());
    });
}

/**
 * An empty value is never meant (`--size ""` is not 0, `-s ""` is not the
 * current directory): refuse it for every option and argument of every
 * command, naming it.
 */
function refuseEmptyValues(cmd: Command): void {
  for (const option of cmd.options) {
    const value: unknown = cmd.getOptionValue(option.attributeName());
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === '')) throw new ExitError(`${commandLabel(cmd)}: ${option.long ?? option.short} needs a value, got an empty one`, EXIT.usage);
  }
  cmd.registeredArguments.forEach((arg, i) => {
    const value: unknown = cmd.processedArgs[i];
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === '')) throw new ExitError(`${commandLabel(cmd)}: <${arg.name()}> needs a value, got an empty one`, EXIT.usage);
  });
}
