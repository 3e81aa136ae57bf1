import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median } from './sample-stats.js';

/** Clock ticks per second of /proc/PID/stat's times (sysconf(_SC_CLK_TCK), USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time (user + system) of this process's reaped children so far, in ms:
 * fields 16 and 17 (cutime, cstime) of /proc/self/stat, in steps of 10 ms.
 * Undefined where there is no /proc.
 */
function childrenCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after it start with field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_S;
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
