import { ReadlineParser } from '@serialport/parser-readline';
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A child process driven line by line, for end-to-end tests with real
 * clients (pyserial scripts, socat): `send()` a line to its stdin,
 * `expect()` a line on its stdout, always with a deadline so a hung client
 * fails the test instead of hanging it.
 */
export class LineChild {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';
  #waiters: Array<() => void> = [];

  constructor(command: string, args: string[]) {
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // Lines as a serial client sees them: @serialport/parser-readline splits on LF; a CR before it is dropped.
    const lines = this.proc.stdout!.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
    lines.on('data', (line: string) => {
      this.lines.push(line.replace(/\r$/, ''));
      for (const w of this.#waiters.splice(0)) w();
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.proc.once('close', (code) => {
        for (const w of this.#waiters.splice(0)) w();
        resolve(code);
      }),
    );
  }

  /** Python in unbuffered mode with an inline script; always the Debian python that has pyserial. */
  static python(script: string, ...args: string[]): LineChild {
    return new LineChild('/usr/bin/python3', ['-u', '-c', script, ...args]);
  }

  get stderr(): string {
    return this.#stderr;
  }

  send(line: string): void {
    this.proc.stdin!.write(line + '\n');
  }

  /** Resolve with the first unread line matching `pattern` (lines before it are consumed). */
  async expect(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l) => pattern.test(l));
      if (i >= 0) return this.lines.splice(0, i + 1)[i];
      if (this.proc.exitCode !== null || Date.now() >= deadline) {
        throw new Error(`no line matching ${pattern} (got ${JSON.stringify(this.lines)}; stderr ${this.#stderr.trim()})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
    await this.exited;
  }
}
