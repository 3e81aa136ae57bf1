import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab } from '../support/control-lab.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';

/**
 * The timeline report (`scenario run --report`, `lab --report`) as a person
 * opens it: one HTML file, in Debian's Chromium, nothing loaded from
 * anywhere, the chart drawn with the run's events and the verdicts shown.
 */
interface PageReading {
  runs: Array<{ title: string; rows: string[]; series: Record<string, number>; inked: number }>;
  verdicts: string[][];
  requests: string[];
}

async function readReport(session: BrowserSession, file: string): Promise<PageReading> {
  const { page } = session;
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const runs = await page.evaluate(() => {
    type ChartLike = { data: { labels: string[]; datasets: Array<{ label: string; data: unknown[] }> } };
    const w = globalThis as unknown as { Chart: { getChart(c: unknown): ChartLike | undefined }; document: { querySelectorAll(s: string): Iterable<{ querySelector(s: string): { getContext(k: string): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }; width: number; height: number } & { textContent: string }; }> } };
    return [...w.document.querySelectorAll('[data-timeline]')].map((section) => {
      const canvas = section.querySelector('canvas');
      const chart = w.Chart.getChart(canvas);
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
      return {
        title: section.querySelector('h2').textContent,
        rows: chart?.data.labels ?? [],
        series: Object.fromEntries((chart?.data.datasets ?? []).map((d) => [d.label, d.data.length])),
        inked,
      };
    });
  });
  const verdicts = await page.$$eval('table.verdicts tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
  return { runs, verdicts, requests };
}

t.test('scenario run --report: the chart has the scenario events, the verdicts pass and fail in text', async (t) => {
  const dir = tempDir(t);
  const failing = join(dir, 'wrong-count.yaml');
  writeFileSync(failing, readFileSync('scenarios/signaling-five-failures.yaml', 'utf8').replace('name: signaling-five-failures', 'name: wrong-count').replace('signalingAttempts: { pbx: PBX-A, count: 5 }, name: five attempts', 'signalingAttempts: { pbx: PBX-A, count: 4 }, name: four attempts'));
  const report = join(dir, 'report.html');
  const run = await runCliAsync(['scenario', 'run', 'scenarios/signaling-five-failures.yaml', failing, '--report', report], { timeoutMs: 60_000 });
  t.equal(run.status, 1, 'a failed expectation still exits 1');
  t.match(run.stdout, `timeline report: ${report}`, 'the CLI says where the report is');
  const html = readFileSync(report, 'utf8');
  const external = /<(?:script|link|img|iframe|object|embed|source)\b[^>]*\s(?:src|href|data)=/i.exec(html);
  t.equal(external?.[0], undefined, 'no element of the page points elsewhere (no script src, no stylesheet, no image)');
  t.ok(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'sha256-[^']+'; img-src data:">/.test(html), "a strict CSP allows only the two inlined scripts and the style, by hash");

  const session = await openBrowser(t);
  const page = await readReport(session, report);
  t.same(session.problems, [], 'no console error or CSP violation while the page draws');
  t.same(page.requests.filter((u) => !u.startsWith('file:')), [], 'the page requests nothing but itself');
  t.same(page.runs.map((r) => r.title), ['signaling-five-failures', 'wrong-count'], 'one chart per scenario, in order');
  const [good] = page.runs;
  t.same(good.rows, ['PBX-A', 'centre'], 'a row per device: the PBX and the centre modem');
  // Spec §3.4 with the file's timeline: five busy calls, stop, then one call after the new entry that delivers the report.
  t.equal(good.series.calls, 6, 'six calls: five busy, one connected');
  t.equal(good.series.retries, 4, 'attempts 2–5 are retries');
  t.ok(good.series['signaling attempts'] >= 2, 'first attempts before and after the stop are drawn');
  t.equal(good.series.errors, 2, 'both class-B errors');
  t.ok(good.series.faults >= 6, 'the busy fault set, acting five times, cleared');
  t.ok(good.series.reports >= 2, 'the report stored by the centre and acknowledged by the PBX');
  t.ok(good.inked > 1000, `the canvas is drawn (${good.inked} pixels inked)`);
  t.same(page.verdicts.slice(0, 5).map((v) => v[0]), ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'], 'the five expectations of the good scenario pass');
  const fail = page.verdicts.find((v) => v[1] === 'four attempts');
  t.equal(fail?.[0], 'FAIL', 'the wrong expectation shows FAIL in text');
  t.match(fail?.[3] ?? '', /5 signaling attempts, expected 4/, 'with why it failed');
});

t.test('lab --report: written when the lab stops, with the rig\'s verdicts and what it caused', async (t) => {
  const dir = tempDir(t);
  const report = join(dir, 'lab.html');
  const lab = await startControlLab(t, { virtualTime: true, args: ['--report', report] });
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.ok('pbx.kds-set', { pbx: 'HSIM-0001', path: 'callback.1.number', value: '00899000' });
  await c.ok('pbx.kds-set', { pbx: 'HSIM-0001', path: 'signaling.enabled', value: 'yes' });
  await c.ok('fault.set', { line: '0899000', spec: 'busy=2' });
  await c.ok('pbx.raise', { pbx: 'HSIM-0001', class: 'B', text: 'fan failure' });
  const got = (await c.ok('run-until', { event: 'report.stored', timeout: '2h' })) as { matched: boolean };
  t.ok(got.matched, 'the report arrives after two busy attempts');
  await c.ok('verdict', { name: 'report after two busy attempts', passed: got.matched });
  await c.ok('verdict', { name: 'a check that failed on purpose', passed: false, detail: 'expected 3, got 2' });
  t.notOk(existsSync(report), 'nothing is written while the lab runs');
  await c.ok('lab.stop');
  t.equal(await lab.child.exited, 0, 'the lab stops cleanly');
  t.ok(existsSync(report), 'the report is written when it stops');

  const session = await openBrowser(t);
  const page = await readReport(session, report);
  t.same(session.problems, [], 'no console error or CSP violation');
  const [run] = page.runs;
  t.ok(run.rows.includes('HSIM-0001') && run.rows.includes('centre'), `rows for the PBX and the centre (${run.rows.join(', ')})`);
  t.equal(run.series.calls, 3, 'three calls: two busy, one that delivered');
  t.equal(run.series.retries, 2, 'attempts 2 and 3 are retries');
  t.equal(run.series.errors, 1, 'the raised error');
  t.same(page.verdicts.map((v) => [v[0], v[1], v[3]]), [['PASS', 'report after two busy attempts', ''], ['FAIL', 'a check that failed on purpose', 'expected 3, got 2']], "the rig's verdicts, in order, with the failure's detail");
});
