import { buildProgram } from './program.js';
import { cliFailure } from './cli-failure.js';
import { EXIT } from '../exit-codes.js';

/**
 * Run `hicom-sim` with the user's arguments and return the exit code; every
 * failure goes through `cliFailure`, so each command fails the same way:
 * `hicom-sim: <one line>` on stderr and a code from docs/exit-codes.md.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    const failure = cliFailure(err, program, argv);
    if (failure.message) process.stderr.write(`hicom-sim: ${failure.message}\n`);
    if (failure.exitCode === EXIT.internal && process.env.HICOM_SIM_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return failure.exitCode;
  }
}
