import { CommanderError, type Command } from 'commander';
import { EXIT, ExitError, type ExitCode } from '../exit-codes.js';
import { ioReason, isSystemError } from '../io-reason.js';

/**
 * The one place that turns whatever a command throws into what the user
 * sees: one line on stderr, `hicom-sim: <what is wrong>`, and the exit code
 * of docs/exit-codes.md. No stack trace for anything the user can cause;
 * a bug says so in one line too (the stack only with HICOM_SIM_DEBUG=1).
 */
export interface CliFailure {
  /** Empty for help and version output, which commander has printed already. */
  message: string;
  exitCode: ExitCode;
}

/**
 * Errors of the lower layers that always mean the input was wrong (by
 * class name, so the CLI does not load every module just to be able to
 * fail; test/cli/cli-failure.test.ts checks each name against its class).
 */
export const INPUT_ERROR_NAMES: readonly string[] = [
  'LineSpecError', 'ConfigError', 'WavFormatError', 'ReportDecodeError', 'DtmfDigitError', 'ScenarioError', 'ArchiveError', 'KdsFileError', 'CentreReadError', 'DirectoryError', 'NumberingError', 'FaultSpecError',
];

/** Errors of the lower layers that mean the far end could not be reached. */
export const CONNECTION_ERROR_NAMES: readonly string[] = ['ConnectError'];

/** Node's network errors: the far end or the machine, not the user's input. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

/** `program` lets a commander error name the command it is about; `argv` is the user's arguments. */
export function cliFailure(err: unknown, program?: Command, argv: readonly string[] = []): CliFailure {
  if (err instanceof ExitError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof CommanderError) return commanderFailure(err, program, argv);
  if (isSystemError(err)) {
    const where = err.path ?? (err as { address?: string }).address;
    const port = (err as { port?: number }).port;
    const subject = where === undefined ? '' : `${where}${port === undefined ? '' : `:${port}`}: `;
    return { message: `${subject}${ioReason(err)}`, exitCode: CONNECTION_CODES.has(err.code!) ? EXIT.connection : EXIT.usage };
  }
  if (err instanceof Error && INPUT_ERROR_NAMES.includes(err.name)) return { message: oneLine(err.message), exitCode: EXIT.usage };
  if (err instanceof Error && CONNECTION_ERROR_NAMES.includes(err.name)) return { message: oneLine(err.message), exitCode: EXIT.connection };
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { message: `internal error (a bug in hicom-sim, please report it): ${oneLine(text)}`, exitCode: EXIT.internal };
}

/**
 * Reports a command's failure: its one line on stderr (and, for a bug, the
 * stack with HICOM_SIM_DEBUG=1); returns the exit code.
 */
export function reportFailure(err: unknown, program?: Command, argv: readonly string[] = []): ExitCode {
  const failure = cliFailure(err, program, argv);
  if (failure.message) process.stderr.write(`hicom-sim: ${failure.message}\n`);
  if (failure.exitCode === EXIT.internal && process.env.HICOM_SIM_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  return failure.exitCode;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** The command an argv is about: the longest chain of sub-command names it starts with (options and their values skipped). */
export function commandOf(program: Command, argv: readonly string[]): Command {
  let cmd = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('-')) {
      if (takesValue(cmd, word)) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

/** Whether `word` is an option of `cmd` whose value is the next word (`--log-level debug`, not `--log-level=debug`). */
export function takesValue(cmd: Command, word: string): boolean {
  return cmd.options.some((o) => o.required && (o.long === word || o.short === word));
}

/** The command's words after "hicom-sim" ("kds save"); empty for the program itself. */
export function commandLabel(cmd: Command): string {
  return commandPath(cmd).split(' ').slice(1).join(' ');
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function commanderFailure(err: CommanderError, program: Command | undefined, argv: readonly string[]): CliFailure {
  if (err.exitCode === 0) return { message: '', exitCode: EXIT.ok };
  const cmd = program ? commandOf(program, argv) : undefined;
  const path = cmd ? commandPath(cmd) : 'hicom-sim';
  const label = cmd ? commandLabel(cmd) : '';
  if (err.code === 'commander.help' && cmd) {
    // A group ("hicom-sim kds") or the program itself run without a command.
    const commands = cmd.commands.map((c) => c.name()).join(', ');
    return { message: `${label ? `${label} needs a command` : 'no command given; commands'}: ${commands} (see "${path} --help")`, exitCode: EXIT.usage };
  }
  const text = err.message.replace(/^error: /, '');
  return { message: `${label ? `${label}: ` : ''}${text} (see "${path} --help")`, exitCode: EXIT.usage };
}
