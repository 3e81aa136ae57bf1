import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';

/**
 * bench/fleet-part on a tiny fleet, against this very build as the "other"
 * one (the layout an other build has: DIR/dist), so a change that breaks the
 * bench or the way it loads a build fails here and not first in `npm run
 * bench`. Its figures are not judged: benchmarks print them, tests do not time.
 */
t.test('bench/fleet-part runs both sides to the end and their counts agree', async (t) => {
  const r = spawnSync(process.execPath, [resolve('dist/bench/fleet-part.js'), '--fleet', '80', '--rounds', '1', '--other', resolve('.')], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^fleet-part: ends within \d+ s$/m, 'it prints its bound');
  t.match(r.stdout, /^ {2}round 1 this build: CPU .* µs per PBX-day .* reports/m, 'a round of this build');
  t.match(r.stdout, /^ {2}round 1 other \(.*\): CPU .* µs per PBX-day/m, 'a round of the other build');
  t.match(r.stdout, /^timer events \/ reports \/ busy retries \/ stops \/ digest in every run: identical \(\d+\/[1-9]\d*\/\d+\/\d+\/[0-9a-f]{8}\)$/m, 'both count the same, reports reached the centre, and every signaling event came at the same time');
});

t.test('bench/fleet-part with labs started before measures a warm start and counts the same', async (t) => {
  const r = spawnSync(process.execPath, [resolve('dist/bench/fleet-part.js'), '--fleet', '80', '--rounds', '1', '--labs-before', '1', '--other', resolve('.')], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^fleet-part: .*, each after 1 lab\(s\) started and closed alternating with /m, 'it says the start measured follows a lab');
  t.match(r.stdout, /^timer events \/ reports \/ busy retries \/ stops \/ digest in every run: identical \(\d+\/[1-9]\d*\/\d+\/\d+\/[0-9a-f]{8}\)$/m, 'the lab before changes nothing of the part simulated');
});

t.test('bench/fleet-part --without-store: the same part with a store that writes nothing, the same simulation', async (t) => {
  const r = spawnSync(process.execPath, [resolve('dist/bench/fleet-part.js'), '--fleet', '80', '--rounds', '1', '--without-store'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.match(r.stdout, /^fleet-part: .* alternating with this build without its report store/m, 'it says what it compares');
  const stored = /^ {2}round 1 this build: .* (\d+) reports, /m.exec(r.stdout);
  t.ok(stored, 'the round with the database stored its reports');
  t.match(r.stdout, new RegExp(`^ {2}round 1 this build without its store: .* ${stored?.[1]} reports \\(${stored?.[1]} acknowledged and not stored\\)`, 'm'), 'every report of the other round went to the stand-in store');
  t.match(r.stdout, /^timer events \/ reports \/ busy retries \/ stops \/ digest in every run: identical /m, 'the PBXs, the network and the receiver did the same with it');
  t.match(r.stdout, /^this build without its store: median \d+ µs CPU per PBX-day/m, 'its cost printed apart');
});
