import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bound } from './support/bench-bound.js';
import { median } from '../test/support/sample-stats.js';

/**
 * The virtual clock's heap alone, the way a fleet uses it:
 *   node dist/bench/clock-heap.js [--timers N] [--events E] [--rounds R] [--other DIR]
 * N timers re-arm themselves every 1–15 minutes (the signaling intervals);
 * each firing also cancels the second timer it set last time and sets a new
 * one 50 s ahead (a call's no-answer timer, set at every busy retry and
 * cancelled). Each timer's owner holds a 200-element array, so the owners
 * spread over the heap as a fleet's PBXs do and touching one is a cache
 * miss. Each round runs in a child process of its own, alternating this
 * build and, with --other, the build rooted at DIR (its dist/ built);
 * CPU time per fired timer of each, median. Both must fire the same count.
 */
const here = fileURLToPath(new URL('.', import.meta.url));

async function runChild(dist: string, timers: number, events: number): Promise<{ nsPerEvent: number; fired: number }> {
  const { VirtualClock } = (await import(pathToFileURL(join(dist, 'core/clock.js')).href)) as typeof import('../core/clock.js');
  const clock = new VirtualClock(0);
  let fired = 0;
  const owners: Array<{ pad: number[] }> = [];
  for (let i = 0; i < timers; i++) {
    const owner: { pad: number[]; other: { cancel(): void } | undefined } = { pad: new Array<number>(200).fill(i), other: undefined };
    owners.push(owner);
    const tick = (): void => {
      fired++;
      owner.other?.cancel();
      owner.other = clock.setTimer(50_000, () => void fired++);
      clock.setTimer(60_000 * (1 + (i % 15)), tick);
    };
    clock.setTimer(i % 60_000, tick);
  }
  const cpu0 = process.cpuUsage();
  while (fired < events) clock.advance(60_000);
  const cpu = process.cpuUsage(cpu0);
  return { nsPerEvent: ((cpu.user + cpu.system) * 1000) / clock.fired, fired: clock.fired };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const timers = Number(opt('--timers') ?? 40_000);
  const events = Number(opt('--events') ?? 4_000_000);
  const rounds = Number(opt('--rounds') ?? 3);
  const other = opt('--other');
  if (args.includes('--child')) {
    process.stdout.write(`${JSON.stringify(await runChild(opt('--dist')!, timers, events))}\n`);
    return;
  }
  const sides = [{ name: 'this build', dist: resolve(here, '..') }, ...(other ? [{ name: `other (${other})`, dist: join(resolve(other), 'dist') }] : [])];
  console.log(`clock-heap: ${timers} timers, ${events} events, ${rounds} rounds${other ? ` alternating with ${other}` : ''}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Bound: 10 µs of CPU per event (the old heap took ~1.3 under load) per run, plus a minute for the set-up.
  bound('clock-heap', Math.ceil(60 + rounds * sides.length * (10 + events * 10e-6)));
  const results = new Map<string, number[]>();
  const counts = new Set<number>();
  for (let k = 0; k < rounds; k++) {
    for (const side of sides) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--dist', side.dist, '--timers', String(timers), '--events', String(events)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${side.name}: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { nsPerEvent: number; fired: number };
      console.log(`  round ${k + 1} ${side.name}: ${r.nsPerEvent.toFixed(0)} ns of CPU per fired timer, ${r.fired} fired; load ${loadavg()[0].toFixed(1)}`);
      counts.add(r.fired);
      results.set(side.name, [...(results.get(side.name) ?? []), r.nsPerEvent]);
    }
  }
  console.log(`fired timers in every run: ${counts.size === 1 ? `identical (${[...counts][0]})` : `DIFFERENT (${[...counts].join(' ')})`}`);
  for (const [name, xs] of results) console.log(`${name}: median ${median(xs).toFixed(0)} ns per fired timer (${xs.map((x) => x.toFixed(0)).join(', ')})`);
}

await main();
