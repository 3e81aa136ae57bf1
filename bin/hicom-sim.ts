#!/usr/bin/env node
import { packageVersion } from '../src/cli/package-version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before commander and the command table load: a rig that asks
  // for the version pays for little more than Node's own start.
  process.stdout.write(`${packageVersion()}\n`);
} else {
  // A plain `dtmf decode FILE [--json]` runs without commander (dtmf-decode-line.ts); every other line through it.
  const { dtmfDecodeLine, runDtmfDecodeLine } = await import('../src/cli/dtmf-decode-line.js');
  const decode = dtmfDecodeLine(argv);
  const code = decode
    ? await runDtmfDecodeLine(decode)
    : await (await import('../src/cli/run-cli.js')).runCli(argv);
  process.exitCode = code;
  // The command's work is done: leave once the output is flushed, even if a
  // stray handle (stdin, a half-closed socket) would keep Node waiting.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
