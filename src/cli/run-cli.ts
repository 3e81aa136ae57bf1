import { buildProgram } from './program.js';
import { reportFailure } from './cli-failure.js';
import { EXIT } from '../exit-codes.js';

/**
 * Run `hicom-sim` with the user's arguments and return the exit code; every
 * failure goes through `reportFailure`, so each command fails the same way:
 * `hicom-sim: <one line>` on stderr and a code from docs/exit-codes.md.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportFailure(err, program, argv);
  }
}
