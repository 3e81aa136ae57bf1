import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's stat times (sysconf(_SC_CLK_TCK), USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_S = 100;

/**
 * A pair of CPU times (user + system) from a Linux stat file, in ms (steps
 * of 10 ms): `field` is the 1-based number of the user time in proc(5)
 * (14: utime and stime of the process or thread itself, 16: cutime and
 * cstime of its reaped children). `path`: /proc/self/stat for this
 * process, /proc/thread-self/stat for the calling thread (Node 20 has no
 * per-thread CPU of its own). Undefined where there is no /proc.
 */
export function procStatCpuMs(path: string, field: 14 | 16): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after it start with field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[field - 3]) + Number(fields[field - 2])) * 1000) / CLOCK_TICKS_PER_S;
}
