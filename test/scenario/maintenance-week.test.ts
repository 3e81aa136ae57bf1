import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { validateMaintenanceScenario } from '../../src/scenario/maintenance-scenario-file.js';
import { cliCommand, tempDir } from '../support/lab-child.js';

/*
 * The shipped maintenance week at a fifth of its size
 * (scenarios/maintenance/week-200-pbxs.yaml: the plan and faults of
 * week-1000-pbxs.yaml scaled down, so CI stays short) through the CLI, as a
 * CI job runs it: 200 firmware PBXs, the centre's real visitor over the LAN
 * and 8 centre modems whose receivers answer the PBXs' function-test
 * reports and lend their modems to visits while idle; five nights with line
 * faults, technicians holding 6 modems in calls, PBXs in use — in virtual
 * time. Its own expectations assert the completion figures; this test
 * checks that they ran, held, and reached the JUnit file.
 */
const run = (...args: string[]) => spawnSync(...cliCommand(args), { cwd: process.cwd(), encoding: 'utf8', timeout: 600_000 });

t.test('the maintenance week (200 PBXs) passes through scenario run, night by night, function tests and APS checks included', async (t) => {
  const dir = tempDir(t, 'maintenance-week-');
  const junit = join(dir, 'junit.xml');
  const r = run('scenario', 'run', 'scenarios/maintenance/week-200-pbxs.yaml', '--junit', junit);
  t.equal(r.status, 0, r.status === 0 ? 'exit 0' : `exit 0\n${r.stdout.slice(-3000)}${r.stderr}`);
  t.match(r.stdout, /fleet: 200 PBXs \(80 with LAN teleservice\), 8 centre modems, LAN concurrency 64/, 'the fleet as the file says');
  for (const [night, figures] of [
    [1, /200\/200 done \(80 LAN, 120 modem\), 0 failed, 0 cut/],
    [2, /200\/200 done .* \d+ done after a retry/],
    [3, /170\/200 done \(52 LAN, 118 modem\), 30 failed/],
    [4, /199\/200 done .* 1 cut, 0 not visited, \d+ busy skips \(4 visited later\)/],
    [5, /198\/200 done \(79 LAN, 119 modem\), 2 failed, 0 cut, 0 not visited, 0 busy skips \(0 visited later\), 1 resumed/],
  ] as const) t.match(r.stdout, new RegExp(`night ${night} \\(2026-12-\\d\\d 19:00Z\\): ${figures.source}`), `night ${night}: its figures printed`);
  t.match(r.stdout, /the line broke: the modem lost the carrier/, 'the broken lines fail as lost carrier');
  t.match(r.stdout, /function-test failed 3 times: function test \d+ raised; no report of it at the centre within 1020 s/, 'reports held up by the busy lines are named');
  t.match(r.stdout, /passed: 16\/16 expectations/, 'all sixteen expectations hold');
  const xml = readFileSync(junit, 'utf8');
  t.equal((xml.match(/<testcase /g) ?? []).length, 16, 'one JUnit test case per expectation');
  t.notMatch(xml, /<failure/, 'none failed');
  t.match(xml, /name="Wednesday: with 6 of 8 centre lines held in calls, LAN PBXs&apos; reports do not get through in time"|name="Wednesday: with 6 of 8 centre lines held in calls, LAN PBXs' reports do not get through in time"/, 'named as in the file');
});

t.test('the full week of 1,000 PBXs is the same file shape: it parses with the same plan and faults', async (t) => {
  const full = validateMaintenanceScenario(parse(readFileSync('scenarios/maintenance/week-1000-pbxs.yaml', 'utf8')));
  const small = validateMaintenanceScenario(parse(readFileSync('scenarios/maintenance/week-200-pbxs.yaml', 'utf8')));
  t.same(small.plan, full.plan, 'the same plan');
  t.same(small.centre, full.centre, 'the same centre');
  t.same(small.faults.map((f) => Object.keys(f).join()), full.faults.map((f) => Object.keys(f).join()), 'the same faults on the same nights');
  t.equal(full.fleet.pbxs, 1000, 'the full week: 1,000 PBXs');
  t.equal(small.fleet.lanShare, full.fleet.lanShare, 'the same LAN share');
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
