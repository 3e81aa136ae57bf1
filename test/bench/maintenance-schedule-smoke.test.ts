import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';

/**
 * The maintenance-schedule benchmark on 2 plans over 2 nights, so a change
 * that breaks it fails in npm test and not first in `npm run bench`. Its
 * figures are not judged: benchmarks print them, tests do not time.
 */
t.test('bench/maintenance-schedule runs both arms to their end and they do the same work', async (t) => {
  const r = spawnSync(process.execPath, ['--expose-gc', resolve('dist/bench/maintenance-schedule.js'), '--plans', '2', '--nights', '2', '--runs', '1'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^maintenance-schedule: ends within \d+ s$/m, 'it prints its bound first');
  // 2 plans × 2 zones × 2 nights = 8 windows; 2 × 5 PBXs × 2 nights = 20 visits.
  t.match(r.stdout, /^runner {4}median: wall \d+ ms, CPU \d+ ms, 8 windows, 20 visits done/m, 'the baseline runs every window');
  t.match(r.stdout, /^scheduler median: wall \d+ ms, CPU \d+ ms, 8 windows, 20 visits done/m, 'and the scheduler the same ones');
});
