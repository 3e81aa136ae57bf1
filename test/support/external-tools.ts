import { spawnSync } from 'node:child_process';

/** True when `command` runs (scripts/test-deps.sh installs sox and multimon-ng). */
export function hasTool(command: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10000 });
  return r.error === undefined;
}

/** Runs a tool, throwing with its stderr when it fails. */
export function run(command: string, args: string[], timeoutMs = 120000): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Length of the longest common subsequence: how many sent digits were found, in order. */
export function matchedDigits(sent: string, found: string): number {
  let prev = new Uint32Array(found.length + 1);
  for (let i = 1; i <= sent.length; i++) {
    const cur = new Uint32Array(found.length + 1);
    for (let j = 1; j <= found.length; j++) {
      cur[j] = sent[i - 1] === found[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  return prev[found.length];
}
