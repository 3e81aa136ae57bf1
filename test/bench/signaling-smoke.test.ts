import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';

/**
 * The signaling benchmark on a fleet of 30 PBXs, so a change that breaks
 * the bench (a lab configuration the validator now refuses, a worker that
 * throws) fails here and not first in `npm run bench`. Its figures are not
 * judged: benchmarks print them, tests do not time.
 */
t.test('bench/signaling runs to its end on a small fleet and its shards agree with one thread', async (t) => {
  const r = spawnSync(process.execPath, [resolve('dist/bench/signaling.js'), '--fleet', '30'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^sharding check at 30 PBXs: .*: identical$/m, 'the sharded run counts what one thread counts');
  t.match(r.stdout, /^cost per PBX-day \(spread on\):$/m, 'and it prints the cost per PBX-day');
  // Each fleet's process collects garbage on its own threads only (FLEET_V8_OPTIONS): V8's helper threads cost a fifth of the fleet's CPU.
  const options = [...r.stdout.matchAll(/PBXs, spread .*, V8 options: (.*)$/gm)].map((m) => m[1]);
  t.ok(options.length >= 3, `every fleet names its V8 options (${options.length})`);
  t.ok(options.every((o) => o === '--single-threaded-gc'), `and each ran with --single-threaded-gc (${[...new Set(options)].join(' | ')})`);
  // Each fleet says how each worker spent its time, so the one that ends last (the fleet's wall time) can be told apart.
  const workers = [...r.stdout.matchAll(/^ +worker (\d+): [\d.]+ s wall, [\d.?]+ s CPU of its thread, -?[\d.]+ s outside its labs .*labs start\/week\/close s: (.*)$/gm)];
  t.ok(workers.length >= 3, `a line per worker under each of the three fleets (${workers.length})`);
  const lastFleet = workers.slice(workers.map((w) => w[1]).lastIndexOf('0'));
  const lines = lastFleet.flatMap((w) => [...w[2].matchAll(/line ([\d+]+) /g)].flatMap((m) => m[1].split('+').map(Number)));
  t.same(lines.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], `the workers' labs of the last fleet cover the 8 centre lines once each (${lines})`);
});
