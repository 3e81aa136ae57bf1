import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux the kernel ABI allows). */
const USER_HZ = 100;

/**
 * CPU time of the calling thread (user + system, ms), for a worker's own
 * share of a process's CPU: Node 20 has process.cpuUsage() only for the
 * whole process (thread CPU came in Node 23). Read from Linux's
 * /proc/thread-self/stat (fields 14 and 15, in ticks of 10 ms), so it
 * misses the V8 platform's helper threads (parallel scavenge, concurrent
 * marking) that work for every isolate; undefined where there is no /proc.
 */
export function threadCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}
