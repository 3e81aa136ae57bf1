import { createInterface } from 'node:readline';

let pending: string[] | undefined;
let piped: Promise<string[]> | undefined;

/** All of stdin as lines, when it is not a terminal (scripts pipe answers in). */
function pipedLines(): Promise<string[]> {
  piped ??= new Promise((resolve) => {
    const lines: string[] = [];
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (l) => lines.push(l));
    rl.on('close', () => resolve(lines));
  });
  return piped;
}

/**
 * Ask one question on the terminal (without echo for secrets), or take the
 * next line of piped stdin. An environment variable wins over both, so CI
 * can run without a terminal: HICOM_USER, HICOM_PASSWORD, …
 */
export async function ask(question: string, options: { secret?: boolean; env?: string } = {}): Promise<string> {
  const fromEnv = options.env ? process.env[options.env] : undefined;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    pending ??= await pipedLines();
    const line = pending.shift();
    if (line === undefined) throw new Error(`no answer for "${question.trim()}" on standard input${options.env ? ` (or set ${options.env})` : ''}`);
    return line;
  }
  process.stderr.write(question);
  return new Promise((resolve) => {
    const stdin = process.stdin;
    let answer = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(answer);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f' || ch === '\b') {
          if (answer.length) {
            answer = answer.slice(0, -1);
            process.stderr.write('\b \b');
          }
          continue;
        }
        answer += ch;
        process.stderr.write(options.secret ? '*' : ch);
      }
    };
    stdin.on('data', onData);
  });
}
