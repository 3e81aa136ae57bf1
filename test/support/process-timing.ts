import { spawnSync } from 'node:child_process';
import { median } from './sample-stats.js';

/**
 * Whole-process timing for the benchmarks: run a command to its end and
 * take its wall time; print a set of them as median and spread.
 */
export function timedRun(command: string, args: readonly string[], timeoutMs: number): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return { ms, stdout: r.stdout };
}

export function spread(ms: readonly number[], digits = 0): string {
  return `median ${median(ms).toFixed(digits).padStart(5)} ms  (${Math.min(...ms).toFixed(digits)}–${Math.max(...ms).toFixed(digits)})`;
}
