import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cliCommand, tempDir } from '../support/lab-child.js';

/*
 * The shipped maintenance week (scenarios/maintenance/week-1000-pbxs.yaml)
 * through the CLI, as a CI job runs it: 1,000 firmware PBXs, the centre's
 * real visitor over the LAN and 8 centre modems, five nights with line
 * faults, busy centre modems and PBXs in use — in virtual time. Its own
 * expectations assert the completion figures; this test checks that they
 * ran, held, and reached the JUnit file.
 */
const run = (...args: string[]) => spawnSync(...cliCommand(args), { cwd: process.cwd(), encoding: 'utf8', timeout: 600_000 });

t.test('the maintenance week of 1,000 PBXs passes through scenario run, night by night', async (t) => {
  const dir = tempDir(t, 'maintenance-week-');
  const junit = join(dir, 'junit.xml');
  const r = run('scenario', 'run', 'scenarios/maintenance/week-1000-pbxs.yaml', '--junit', junit);
  t.equal(r.status, 0, r.status === 0 ? 'exit 0' : `exit 0\n${r.stdout.slice(-3000)}${r.stderr}`);
  t.match(r.stdout, /fleet: 1000 PBXs \(400 with LAN teleservice\), 8 centre modems, LAN concurrency 64/, 'the fleet as the file says');
  for (const [night, figures] of [
    [1, /1000\/1000 done \(400 LAN, 600 modem\), 0 failed, 0 cut/],
    [2, /1000\/1000 done .* 30 done after a retry/],
    [3, /990\/1000 done .* 10 failed/],
    [4, /995\/1000 done .* 5 cut, 0 not visited, \d+ busy skips \(20 visited later\)/],
    [5, /992\/1000 done \(396 LAN, 596 modem\), 8 failed, 0 cut, 0 not visited, 0 busy skips \(0 visited later\), 5 resumed/],
  ] as const) t.match(r.stdout, new RegExp(`night ${night} \\(2026-12-\\d\\d 19:00Z\\): ${figures.source}`), `night ${night}: its figures printed`);
  t.match(r.stdout, /the line broke/, 'the reasons of the failures are printed');
  t.match(r.stdout, /passed: 16\/16 expectations/, 'all sixteen expectations hold');
  const xml = readFileSync(junit, 'utf8');
  t.equal((xml.match(/<testcase /g) ?? []).length, 16, 'one JUnit test case per expectation');
  t.notMatch(xml, /<failure/, 'none failed');
  t.match(xml, /name="Thursday: the 20 PBXs with a technician are skipped and visited later"/, 'named as in the file');
});

t.test('a maintenance scenario file with a wrong field is refused before anything runs, the field named', async (t) => {
  const dir = tempDir(t, 'maintenance-bad-');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nmaintenance:\n  start: 2026-12-07T12:00:00Z\n  nights: 2\n  fleet: { pbxs: 10 }\n  plan: { window: "20:00-06:00", steps: [errors] }\n  faults: [ { night: 3, busyModems: 1 } ]\nexpect: [ { night: 1, done: 10 } ]\n');
  const r = run('scenario', 'run', 'scenarios/callback-success.yaml', bad);
  t.equal(r.status, 2, 'exit 2');
  t.match(r.stderr, /bad\.yaml: maintenance\.faults\[0\]\.night: 3 is outside 1–2/, 'the field is named');
  t.notMatch(r.stdout, /scenario callback-success/, 'and the good file before it did not run either');
});
