import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { CLI } from '../support/lab-child.js';
import { modulesLoadedBy, modulesLoadedUntil } from '../support/module-trace.js';

/**
 * What a start of `centre serve` and the small centre commands load (issue
 * 15, CLI start; CI time): a process loads a heavy module only where it uses
 * it. The portal's pages and its fastify plugins load only where the portal
 * is served, pdfkit only when a PDF report is made, the JSON API (its routes,
 * schemas, the OpenAPI collector) only where HTTP is served, the maintenance
 * visitor only when a window opens, receive mode only with a --modem,
 * serialport only for a serial line, pg only for a PostgreSQL database (the
 * export, e2e and PostgreSQL tests prove each still loads when it is used).
 * Traced through a loader hook (at the ready line for `centre serve`), so a
 * static import that comes back fails here.
 */
const root = join(CLI, '../../..');
const ours = (urls: string[]): string[] => urls.filter((u) => u.startsWith('file:') && !u.includes('/node_modules/')).map((u) => relative(root, fileURLToPath(u)));
const packages = (urls: string[]): string[] => [...new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();
const READY = /^Ctrl-C stops the centre\.$/;

/** Packages no start of these commands needs before it uses them. */
const HEAVY = /^(pdfkit|fontkit|eta|@fastify\/.+|pg|serialport)$/;
/** Our modules of the same kind: the portal, the API's routes, the maintenance visitor, receive mode. */
const HEAVY_OURS = /^dist\/src\/(portal\/|service\/api-plugin|service\/modem-plugin|cli\/maintenance-visit-run|maintenance\/session-visitor|centre\/centre\.js)/;

function stateDir(t: Test): string {
  const state = mkdtempSync(join(tmpdir(), 'centre-start-'));
  t.teardown(() => rmSync(state, { recursive: true, force: true }));
  return state;
}

function serveArgs(t: Test, extra: string[]): string[] {
  return ['centre', 'serve', '-s', stateDir(t), '--udp', '127.0.0.1:0', '--no-supervision', '--log-level', 'warn', ...extra];
}

t.test('centre serve --no-http: the intake and the scheduler, nothing of the HTTP side, the visitor, receive mode or PostgreSQL', async (t) => {
  const run = await modulesLoadedUntil(CLI, serveArgs(t, ['--no-http']), READY);
  t.equal(run.status, 0, `started and stopped on SIGINT (${run.lines.join(' | ')})`);
  t.ok(run.lines.some((l) => /^UDP intake: udp 127\.0\.0\.1:\d+$/.test(l)), 'the intake is bound');
  t.ok(run.lines.includes('maintenance scheduler: 0 plan(s); modems for visits: none (visits by LAN only)'), 'the maintenance scheduler started and says so, as before');
  const files = ours(run.urls);
  t.ok(files.includes('dist/src/cli/centre-serve-run.js') && files.includes('dist/src/maintenance/plan-scheduler.js'), 'the trace sees our modules, the scheduler among them');
  t.same(files.filter((f) => HEAVY_OURS.test(f)), [], 'no portal, API routes, maintenance visitor or receive mode');
  const pkgs = packages(run.urls);
  t.ok(pkgs.includes('fastify') && pkgs.includes('better-sqlite3'), `the trace sees packages (${pkgs.join(', ')})`);
  t.same(pkgs.filter((p) => HEAVY.test(p)), [], 'neither pdfkit, the portal\'s packages, @fastify/swagger, pg nor serialport');
});

t.test('centre serve with HTTP and the portal: the portal and the API, still no pdfkit, visitor or receive mode', async (t) => {
  const run = await modulesLoadedUntil(CLI, serveArgs(t, ['--http', '127.0.0.1:0']), READY);
  t.equal(run.status, 0, `started and stopped on SIGINT (${run.lines.join(' | ')})`);
  t.ok(run.lines.some((l) => /^portal: http:\/\/127\.0\.0\.1:\d+\//.test(l)), 'the portal is served');
  const files = ours(run.urls);
  t.ok(files.includes('dist/src/portal/portal-plugin.js') && files.includes('dist/src/service/api-plugin.js'), 'the portal\'s and the API\'s modules are loaded');
  t.same(files.filter((f) => HEAVY_OURS.test(f) && !/^dist\/src\/(portal\/|service\/api-plugin)/.test(f)), [], 'not the visitor or receive mode');
  const pkgs = packages(run.urls);
  t.ok(pkgs.includes('@fastify/swagger') && pkgs.includes('@fastify/static'), 'the OpenAPI collector and the portal\'s plugins are loaded');
  t.same(pkgs.filter((p) => /^(pdfkit|fontkit|pg|serialport)$/.test(p)), [], 'pdfkit waits for the first PDF report; no pg, no serialport');
});

t.test('centre device add, status and token list load no HTTP side, pdfkit, pg or serialport', async (t) => {
  const state = stateDir(t);
  for (const args of [['device', 'add', 'D-1', '--kind', 'key-depot'], ['status'], ['token', 'list']]) {
    const run = modulesLoadedBy(CLI, ['centre', ...args, '-s', state]);
    t.equal(run.status, 0, `centre ${args.join(' ')} succeeds (${run.stderr.trim()})`);
    const pkgs = packages(run.urls);
    t.ok(pkgs.includes('kysely'), `centre ${args.join(' ')}: the trace sees its packages (${pkgs.join(', ')})`);
    t.same(pkgs.filter((p) => HEAVY.test(p) || p === 'fastify'), [], `centre ${args.join(' ')}: no fastify, pdfkit, pg or serialport`);
    t.same(ours(run.urls).filter((f) => /^dist\/src\/(service|portal|maintenance)\//.test(f)), [], `centre ${args.join(' ')}: nothing of the service, portal or maintenance`);
  }
});
