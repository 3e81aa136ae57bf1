#!/usr/bin/env node
import { CliError } from '../src/cli/cli-error.js';
import { buildProgram } from '../src/cli/program.js';

try {
  await (await buildProgram()).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`hicom-sim: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
