#!/usr/bin/env node
import { runCli } from '../src/cli/run-cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// The command's work is done: leave once the output is flushed, even if a
// stray handle (stdin, a half-closed socket) would keep Node waiting.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
