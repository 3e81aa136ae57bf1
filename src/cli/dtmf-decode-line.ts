import { EXIT, type ExitCode } from '../exit-codes.js';

/** What `hicom-sim dtmf decode` was asked: the file, and whether as JSON. */
export interface DtmfDecodeLine {
  file: string;
  json: boolean;
}

/**
 * The plain decode command lines — `hicom-sim dtmf decode FILE`, with
 * `--json` before or after FILE — recognised before commander loads, so a
 * decode costs Node's start, the DSP and the file, not the argument parser
 * (about 10 ms of CPU, a fifth of a 14-minute recording's decode). Nothing
 * else is: any other word, option, `--`, `-h` or a FILE that begins with "-"
 * goes to commander as before, so help, errors and suggestions are its own.
 */
export function dtmfDecodeLine(argv: readonly string[]): DtmfDecodeLine | undefined {
  if (argv.length < 3 || argv.length > 4 || argv[0] !== 'dtmf' || argv[1] !== 'decode') return undefined;
  const rest = argv.slice(2);
  const words = rest.filter((w) => w !== '--json');
  if (words.length !== 1) return undefined;
  const file = words[0];
  if (file === '' || file.startsWith('-')) return undefined;
  return { file, json: rest.length === 2 };
}

/** Runs the decode of `line` and returns the exit code; a failure is reported as every command's is (cli-failure.ts). */
export async function runDtmfDecodeLine(line: DtmfDecodeLine): Promise<ExitCode> {
  try {
    (await import('./dtmf-decode-run.js')).decode(line.file, { json: line.json });
    return EXIT.ok;
  } catch (err) {
    return (await import('./cli-failure.js')).reportFailure(err);
  }
}
