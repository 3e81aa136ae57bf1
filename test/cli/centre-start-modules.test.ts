import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { CLI } from '../support/lab-child.js';
import { modulesLoadedUntil } from '../support/module-trace.js';

/**
 * What a start of `centre serve` loads (issue 15, CLI start; CI time): a
 * process loads a heavy module only where it uses it. The portal's pages
 * and its fastify plugins load only where the portal is served, pdfkit only
 * when a PDF report is made (the export tests prove it still is). Traced
 * through a loader hook at the ready line, so a static import that comes
 * back fails here.
 */
const root = join(CLI, '../../..');
const ours = (urls: string[]): string[] => urls.filter((u) => u.startsWith('file:') && !u.includes('/node_modules/')).map((u) => relative(root, fileURLToPath(u)));
const packages = (urls: string[]): string[] => [...new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();
const READY = /^Ctrl-C stops the centre\.$/;

function serveArgs(t: Test, extra: string[]): string[] {
  const state = mkdtempSync(join(tmpdir(), 'centre-start-'));
  t.teardown(() => rmSync(state, { recursive: true, force: true }));
  return ['centre', 'serve', '-s', state, '--udp', '127.0.0.1:0', '--no-supervision', '--log-level', 'warn', ...extra];
}

t.test('centre serve --no-http: no portal, no pdfkit', async (t) => {
  const run = await modulesLoadedUntil(CLI, serveArgs(t, ['--no-http']), READY);
  t.equal(run.status, 0, `started and stopped on SIGINT (${run.lines.join(' | ')})`);
  t.ok(run.lines.some((l) => /^UDP intake: udp 127\.0\.0\.1:\d+$/.test(l)), 'the intake is bound');
  const files = ours(run.urls);
  t.ok(files.includes('dist/src/cli/centre-serve-run.js'), 'the trace sees our modules');
  t.same(files.filter((f) => f.startsWith('dist/src/portal/')), [], 'no module of the portal');
  const pkgs = packages(run.urls);
  t.ok(pkgs.includes('fastify'), `the trace sees packages (${pkgs.join(', ')})`);
  t.same(pkgs.filter((p) => /^(pdfkit|fontkit|@fastify\/(cookie|csrf-protection|formbody|helmet|rate-limit|static)|eta)$/.test(p)), [], 'neither pdfkit nor the portal\'s packages');
});

t.test('centre serve with HTTP and the portal: the portal, still no pdfkit', async (t) => {
  const run = await modulesLoadedUntil(CLI, serveArgs(t, ['--http', '127.0.0.1:0']), READY);
  t.equal(run.status, 0, `started and stopped on SIGINT (${run.lines.join(' | ')})`);
  t.ok(run.lines.some((l) => /^portal: http:\/\/127\.0\.0\.1:\d+\//.test(l)), 'the portal is served');
  t.ok(ours(run.urls).includes('dist/src/portal/portal-plugin.js'), 'its modules are loaded');
  t.same(packages(run.urls).filter((p) => /^(pdfkit|fontkit)$/.test(p)), [], 'pdfkit waits for the first PDF report');
});
