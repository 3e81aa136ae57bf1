import { setFlagsFromString } from 'node:v8';
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

/**
 * V8 flags for the decode's process, set before the decode's modules load.
 * `--no-opt`: the work per sample runs in WebAssembly (dsp/assembly/), which
 * this does not touch; the decode's JavaScript runs once per digit or output
 * line, a few thousand times, and TurboFan spent more CPU compiling it on its
 * background thread than it saved (825 s of audio: ≈ 12 ms of the process's
 * CPU; 55 min: the same either way; docs/perf.md).
 */
export const DTMF_DECODE_V8_FLAGS = '--no-opt';

/** Runs the decode of `line` and returns the exit code; a failure is reported as every command's is (cli-failure.ts). */
export async function runDtmfDecodeLine(line: DtmfDecodeLine): Promise<ExitCode> {
  setFlagsFromString(DTMF_DECODE_V8_FLAGS);
  try {
    (await import('./dtmf-decode-run.js')).decode(line.file, { json: line.json });
    return EXIT.ok;
  } catch (err) {
    return (await import('./cli-failure.js')).reportFailure(err);
  }
}
