import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Run chat (ppp) with its stdin/stdout on `address` through socat; resolves with chat's exit code and log. */
export function runChat(dir: string, address: string, name: string, script: string): Promise<{ code: number | null; log: string }> {
  const file = join(dir, `${name}.chat`);
  writeFileSync(file, script);
  return new Promise((resolve) => {
    // chat wants a terminal on stdin/stdout (socat gives it a pty); sh reports chat's exit status on stderr.
    const p = spawn('socat', [address, `SYSTEM:chat -v -s -t 30 -f ${file}; echo CHATEXIT $? >&2,pty,raw,echo=0`]);
    let log = '';
    p.stderr.on('data', (c: Buffer) => { log += c.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 28_000);
    p.on('close', () => {
      clearTimeout(timer);
      const m = /CHATEXIT (\d+)/.exec(log);
      resolve({ code: m ? Number(m[1]) : null, log });
    });
  });
}
