/**
 * The exit codes of every `hicom-sim` command (docs/exit-codes.md is the
 * table users read), so a script or CI rig can tell bad input from a
 * refused command, a dead line from a busy one. Errors carry their code as
 * an `ExitError`; the CLI's one error funnel (src/cli/cli-failure.ts) turns
 * every error into one line on stderr and one of these codes.
 */
export const EXIT = {
  /** Done: every command answered OK, the file is sound, the scenarios passed. */
  ok: 0,
  /** The command ran and the answer is no: a PBX command answered ERROR (a script stops there), a scenario expectation failed. */
  failed: 1,
  /** Usage or bad input: options, arguments, answers on stdin, files (missing, unreadable, not that kind of file, malformed, truncated, damaged). */
  usage: 2,
  /** No connection: refused, nothing answers, device or pty cannot be opened, port in use, line lost mid-session. */
  connection: 3,
  /** The modem did not connect: BUSY, NO ANSWER, NO CARRIER, NO DIALTONE, ERROR, no RING for a callback. */
  dial: 4,
  /** Access refused: modem access blocked, wrong PIN, callback refused, login failed or locked out, wrong password for a file. */
  access: 5,
  /** A bug in hicom-sim: the line says what happened; please report it. */
  internal: 70,
  /** Stopped by Ctrl-C (SIGINT) at a prompt: 128 + signal 2, as shells report it. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that knows which exit code it means; its message is the one line the user reads. */
export class ExitError extends Error {
  override name = 'ExitError';

  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
