import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { engineFixture } from '../support/both-engines.js';
import { cliToken, startCentre } from '../support/centre-child.js';
import { sampleReport } from '../support/sample-report.js';

/**
 * Every `<!-- api-example -->` of docs/centre-api.md, run in order with curl
 * against a real `centre serve`: each must give the status its `# →`
 * comment says. The page and the service cannot drift apart.
 */
const examples = [...readFileSync('docs/centre-api.md', 'utf8').matchAll(/<!-- api-example -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1]);

t.test('docs/centre-api.md: every example gives the documented status', async (t) => {
  t.ok(examples.length >= 20, `the page has its examples (${examples.length})`);
  const f = await engineFixture(t, 'sqlite');
  const centre = await startCentre(t, { db: f.spec, state: f.stateDir });
  const token = await cliToken(f.spec, f.stateDir, 'doc');
  // A report for the reports example, stored as the modem receiver would.
  const db = await f.open();
  await new DatabaseReportStore(db).appendReport(encodeReport(sampleReport({ systemId: 'HSIM-0001' })), Date.now());
  for (const script of examples) {
    const want = /# → (\d{3})\s*$/.exec(script.trim())?.[1];
    t.ok(want, `example states its status: ${script.split('\n')[0]}`);
    const r = spawnSync('bash', ['-e', '-c', script], { encoding: 'utf8', env: { ...process.env, BASE: centre.http, TOKEN: token }, timeout: 20_000 });
    t.equal(r.stdout.trim(), want, `${script.trim().split('\n').pop()!.replace(/\s+# →.*/, '').slice(0, 110)} → ${want} ${r.stderr.trim()}`);
  }
});
