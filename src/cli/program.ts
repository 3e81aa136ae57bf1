import { Command, Option } from 'commander';
import { EXIT, ExitError } from '../exit-codes.js';
import { commandLabel, commandOf, commandPath, takesValue } from './cli-failure.js';
import { packageVersion } from './package-version.js';

/**
 * The `hicom-sim` program: every command with its description, options and
 * arguments, registered cheaply. A command's module (and its heavy imports:
 * firmware, modems, pino, serialport) loads only when the command runs — each
 * `register` here declares, its action imports `<name>-run.ts` — so
 * `hicom-sim --version` or a small offline tool starts in a blink.
 */
export type Register = (program: Command) => void;

/**
 * The top-level commands by name, in the order of the root help, each with
 * the module that registers it. A command line that names one of them loads
 * only that module: `hicom-sim dtmf decode` never reads the other fifteen
 * (test/cli/cli-module-graph.test.ts checks each name against what its module
 * registers, and which modules a run loads).
 */
const COMMANDS: Readonly<Record<string, () => Promise<{ register: Register }>>> = {
  lab: () => import('./lab.js'),
  config: () => import('./config.js'),
  kds: () => import('./kds.js'),
  dtmf: () => import('./dtmf.js'),
  report: () => import('./report.js'),
  archive: () => import('./archive.js'),
  revisor: () => import('./revisor.js'),
  assistant: () => import('./assistant.js'),
  aps: () => import('./aps.js'),
  centre: () => import('./centre.js'),
  scenario: () => import('./scenario.js'),
  fleet: () => import('./fleet.js'),
  pbx: () => import('./pbx.js'),
  card: () => import('./card.js'),
  'lab-lan-relay': () => import('./lan-relay.js'),
  maintenance: () => import('./maintenance.js'),
};

/** The names `COMMANDS` registers, in order (what the module-graph test compares with the program). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Every command that runs something (no group), depth first: what the bad-input test walks. */
export function leafCommands(program: Command): Command[] {
  return program.commands.flatMap((c) => (c.commands.length ? leafCommands(c) : [c]));
}

/**
 * The program for a command line: when `argv` names one top-level command,
 * only that command is registered (its help, errors and suggestions are the
 * same as in the whole program: commander looks no further than the command
 * named); otherwise — no command, `help`, a word that is no command — every
 * one, for the root help and the "unknown command" error. Without `argv`, the
 * whole program (what tests walk).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('hicom-sim')
    .description('Hicom-style PBX, its IMOD and X.75 modems, the telephone network and the service centre — over serial ports, ptys and TCP')
    .version(packageVersion())
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addHelpText('after', '\nExit codes: 0 ok, 1 the answer is no (ERROR reply, failed scenario), 2 usage or bad input, 3 no connection, 4 dial failed, 5 access refused, 70 a bug (docs/exit-codes.md).')
    // Errors are thrown, not printed, so that cli-failure.ts turns each into one line and its exit code.
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .helpCommand(false);
  const named = argv === undefined ? undefined : commandWord(program, argv);
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : COMMAND_NAMES;
  const modules = await Promise.all(names.map((name) => COMMANDS[name]()));
  for (const { register } of modules) register(program);
  registerHelp(program);
  program.hook('preAction', (_root, action) => refuseEmptyValues(action));
  return program;
}

/**
 * The top-level command `argv` runs, when only root options with their values
 * come before it (`hicom-sim --log-level debug lab`: `lab`). Undefined for
 * none, and when another root option comes first (`hicom-sim -h dtmf` is the
 * root's help, which lists every command).
 */
function commandWord(program: Command, argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-')) return word;
    if (takesValue(program, word)) i++;
    else if (!takesValue(program, word.split('=')[0])) return undefined;
  }
  return undefined;
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
