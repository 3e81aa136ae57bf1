import { createInterface } from 'node:readline';
import { EXIT, ExitError } from '../exit-codes.js';

let pending: string[] | undefined;
let piped: Promise<string[]> | undefined;

/** Ctrl-C and Ctrl-D at a prompt (a terminal in raw mode delivers them as characters). */
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';

/** All of stdin as lines, when it is not a terminal (scripts pipe answers in); an empty list when stdin is closed. */
function pipedLines(): Promise<string[]> {
  piped ??= new Promise((resolve) => {
    const lines: string[] = [];
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (l) => lines.push(l));
    rl.on('close', () => resolve(lines));
    process.stdin.on('error', () => rl.close());
  });
  return piped;
}

function noAnswer(question: string, env: string | undefined, why: string): ExitError {
  return new ExitError(`no answer for "${question.trim()}" (${why})${env ? `; set ${env} or pipe the answer in` : ''}`, EXIT.usage);
}

/**
 * Ask one question on the terminal (without echo for secrets), or take the
 * next line of piped stdin. An environment variable wins over both, so CI
 * can run without a terminal: HICOM_USER, HICOM_PASSWORD, …
 * Closed or exhausted stdin, Ctrl-D on the terminal and an answer with
 * control characters end the command with one line (exit 2); Ctrl-C with 130.
 */
export async function ask(question: string, options: { secret?: boolean; env?: string } = {}): Promise<string> {
  const fromEnv = options.env ? process.env[options.env] : undefined;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    pending ??= await pipedLines();
    const line = pending.shift();
    if (line === undefined) throw noAnswer(question, options.env, 'standard input is closed or has no more lines');
    if (/[\u0000-\u001f\u007f]/.test(line)) throw noAnswer(question, options.env, 'the piped line has control characters');
    return line;
  }
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let answer = '';
    const finish = (result: () => void): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      process.stderr.write('\n');
      result();
    };
    const onEnd = (): void => finish(() => reject(noAnswer(question, options.env, 'end of input')));
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(answer));
        if (ch === CTRL_C) return finish(() => reject(new ExitError(`interrupted at "${question.trim()}"`, EXIT.interrupted)));
        if (ch === CTRL_D) return finish(() => reject(noAnswer(question, options.env, 'Ctrl-D')));
        if (ch === '\u007f' || ch === '\b') {
          if (answer.length) {
            answer = answer.slice(0, -1);
            process.stderr.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue; // other control keys are not part of an answer
        answer += ch;
        process.stderr.write(options.secret ? '*' : ch);
      }
    };
    // Raw mode before the question: in the terminal's line mode a Ctrl-D typed at once would be taken as end of file and lost.
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
    process.stderr.write(question);
  });
}
