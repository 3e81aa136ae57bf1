/**
 * Every benchmark ends within a bound it prints at start (docs/perf.md).
 * `bound()` prints the line `bench/run-all.ts` reads ("ends within N s") and
 * arms a timer that ends the process with an error once the bound has
 * passed, so a stalled benchmark says so instead of hanging. The timer does
 * not keep a finished benchmark alive; a benchmark stuck in a synchronous
 * loop, which no timer can interrupt, is killed by run-all at the same bound.
 */
export function bound(name: string, seconds: number): void {
  process.stdout.write(`${name}: ends within ${seconds} s\n`);
  const timer = setTimeout(() => {
    process.stderr.write(`${name}: did not end within its bound of ${seconds} s\n`);
    process.exit(3);
  }, seconds * 1000);
  timer.unref();
}

/** What run-all looks for in a benchmark's first lines. */
export const BOUND_LINE = /ends within (\d+) s/;
