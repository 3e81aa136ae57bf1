import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';
import { CLI } from '../support/lab-child.js';

/**
 * The Python client's own suite (clients/python/tests, Debian's pytest)
 * runs with `npm test`: each pytest case becomes one assertion here, so a
 * failing or skipped case fails the run and shows in tap's count.
 */
const SUITE = resolve('clients/python/tests');
/** Cases the suite has at least; fewer means pytest found nothing to run (exit 5) or lost a file. */
const MIN_CASES = 3;

t.test('the pytest suite of clients/python passes against this build', async (t) => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((done) => {
    const child = spawn('/usr/bin/python3', ['-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', SUITE], {
      env: { ...process.env, HICOM_SIM: `${process.execPath} ${CLI}`, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('close', (c) => {
      clearTimeout(timer);
      done({ code: c, out });
    });
  });
  // -rA ends with one line per case: "PASSED path::name", "FAILED path::name - message", "SKIPPED …", "ERROR …".
  const cases = [...out.matchAll(/^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)(?: - (.*))?$/gm)];
  for (const [, outcome, name, message] of cases) t.equal(outcome, 'PASSED', `pytest ${name}${message ? `: ${message}` : ''}`);
  t.ok(cases.length >= MIN_CASES, `pytest ran ${cases.length} cases, at least ${MIN_CASES} expected`);
  t.equal(code, 0, `pytest exits 0${code === 0 ? '' : `\n${out}`}`);
});
