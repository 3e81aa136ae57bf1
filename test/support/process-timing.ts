import { spawnSync } from 'node:child_process';
import { procStatCpuMs } from './proc-stat-cpu.js';
import { median } from './sample-stats.js';

/** CPU time (user + system) of this process's reaped children so far, in ms; undefined where there is no /proc. */
function childrenCpuMs(): number | undefined {
  return procStatCpuMs('/proc/self/stat', 16);
}

/**
 * Whole-process timing for the benchmarks: run a command to its end and
 * take its wall time and, where /proc has it, its CPU time (steadier than
 * wall time on a shared machine); print a set of them as median and spread.
 */
export function timedRun(command: string, args: readonly string[], timeoutMs: number): { ms: number; cpuMs: number | undefined; stdout: string } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  const ms = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.error || r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return { ms, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0, stdout: r.stdout };
}

export function spread(ms: readonly number[], digits = 0): string {
  return `median ${median(ms).toFixed(digits).padStart(5)} ms  (${Math.min(...ms).toFixed(digits)}–${Math.max(...ms).toFixed(digits)})`;
}
