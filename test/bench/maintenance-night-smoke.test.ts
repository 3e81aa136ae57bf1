import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';

/**
 * The maintenance-night benchmark on a fleet of 40 PBXs, so a change that
 * breaks it (a fleet the lab refuses, a visitor that no longer gets in)
 * fails in npm test and not first in `npm run bench`. Its figures are not
 * judged: benchmarks print them, tests do not time.
 */
t.test('bench/maintenance-night runs to its end on a small fleet, its baseline and its real night', async (t) => {
  const r = spawnSync(process.execPath, ['--expose-gc', resolve('dist/bench/maintenance-night.js'), '--pbxs', '40'], { encoding: 'utf8', timeout: 180_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^maintenance-night: ends within \d+ s$/m, 'it prints its bound first');
  t.match(r.stdout, /^maintenance-night bench: 40 PBXs \(30 % with LAN teleservice, the rest modem-only\), 8 centre modems, LAN concurrency 64/m, 'and the load it puts on');
  t.match(r.stdout, /^baseline 40 PBXs: night [\d.]+ s wall, [\d.]+ s CPU .*; 40 visits completed, 0 failed/m, 'the baseline visits every PBX');
  t.match(r.stdout, /^night    40 PBXs: night [\d.]+ s wall, [\d.]+ s CPU .*; 40 visits completed, 0 failed, .* peak RSS \d+ MiB$/m, 'so does the real visitor');
});
