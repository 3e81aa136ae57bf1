import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand } from '../support/lab-child.js';

const run = (...args: string[]) => spawnSync(...cliCommand(args), { cwd: process.cwd(), encoding: 'utf8', timeout: 240_000 });

t.test('every shipped scenario passes through the CLI and writes JUnit XML', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios', f));
  const junit = join(dir, 'junit.xml');
  const r = run('scenario', 'run', ...files, '--junit', junit);
  t.equal(r.status, 0, `exit 0\n${r.stdout}${r.stderr}`);
  t.match(r.stdout, `${files.length} scenarios, 0 failed`, 'summary line');
  const xml = readFileSync(junit, 'utf8');
  t.equal((xml.match(/<testsuite /g) ?? []).length, files.length, 'one testsuite per scenario');
  t.notMatch(xml, /<failure/, 'no failures in the XML');
});

t.test('a failing expectation and a bad file: non-zero exits with clear messages', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const failing = join(dir, 'failing.yaml');
  writeFileSync(failing, 'name: wrong\nnetwork: { pbxs: [ { id: P1 } ] }\ntimeline: [ { at: 0s, raise: { pbx: P1, class: B } } ]\nexpect: [ { by: 1h, reportsReceived: { pbx: P1, count: 1 }, name: never happens } ]\n');
  const junit = join(dir, 'junit.xml');
  const r1 = run('scenario', 'run', failing, '--junit', junit);
  t.equal(r1.status, 1, 'exit 1 when an expectation fails');
  t.match(r1.stdout, /FAIL never happens — centre has 0 reports of P1, expected 1/, 'the failure is explained');
  t.match(readFileSync(junit, 'utf8'), /<failure message="centre has 0 reports/, 'and in the JUnit XML');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nnetwork: { pbxs: [ { id: P1 } ] }\ntimeline: [ { at: soon, raise: { pbx: P1, class: B } } ]\nexpect: [ { by: 1h, errorHistory: { pbx: P1, count: 0 } } ]\n');
  const r2 = run('scenario', 'run', bad);
  t.equal(r2.status, 2, 'exit 2 for a bad file');
  t.match(r2.stderr, /timeline\[0\]\.at: "soon" is not a duration/, 'the field is named');
});
