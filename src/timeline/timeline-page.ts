import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chartModel, deviceOf } from './timeline-chart.js';
import type { Timeline } from './timeline-recorder.js';
import { drawTimelines } from './timeline-script.js';

/** Rows of the event table per run; the chart shows everything, the table the start of it. */
export const MAX_TABLE_ROWS = 5000;

let chartJs: string | undefined;

/**
 * Chart.js's own browser build, read from node_modules so the page needs
 * no network (and no CDN): a report opened on a rig without internet still draws.
 */
function chartLibrary(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    if (/<\/script/i.test(text)) throw new Error('chart.js build contains "</script": it cannot be inlined');
    chartJs = text;
  }
  return chartJs;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1d; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .3rem; border-top: 1px solid #ccc; padding-top: 1rem; }
.chart-box { position: relative; width: 100%; min-height: 160px; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.pass { background: #e3f4e1; font-weight: bold; }
td.fail { background: #fbe1e1; font-weight: bold; }
.summary.failed { color: #a00000; font-weight: bold; }
code { font-size: .92em; }
`;

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that cannot end its <script> block early. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function stamp(timeline: Timeline, t: number): string {
  const s = Math.floor((t - timeline.start) / 1000);
  const d = Math.floor(s / 86400);
  return `${d ? `${d}d ` : ''}${new Date((s % 86400) * 1000).toISOString().slice(11, 19)}`;
}

function run(timeline: Timeline, index: number): string {
  const failed = timeline.verdicts.filter((v) => !v.passed);
  const model = chartModel(timeline);
  const verdictRows = timeline.verdicts.map((v) => `<tr><td class="${v.passed ? 'pass' : 'fail'}">${v.passed ? 'PASS' : 'FAIL'}</td><td>${escape(v.name)}</td><td>${stamp(timeline, v.time)}</td><td>${v.passed ? '' : escape(v.detail)}</td></tr>`);
  const eventRows = timeline.events.slice(0, MAX_TABLE_ROWS).map((e) => {
    const data = e.data as Record<string, unknown>;
    const who = typeof data.pbx === 'string' ? data.pbx : typeof data.device === 'string' ? data.device : typeof data.line === 'string' ? deviceOf(data.line, timeline.devices) : typeof data.caller === 'string' ? deviceOf(data.caller, timeline.devices) : '';
    return `<tr><td>${stamp(timeline, e.time)}</td><td>${escape(who)}</td><td><code>${escape(e.event)}</code></td><td><code>${escape(JSON.stringify(e.data))}</code></td></tr>`;
  });
  const more = timeline.events.length - eventRows.length + timeline.dropped;
  return `<section class="run" data-timeline id="run-${index + 1}">
<h2>${escape(timeline.title)}</h2>
<p class="summary${failed.length ? ' failed' : ''}">${timeline.verdicts.length ? `${failed.length ? 'FAILED' : 'passed'}: ${timeline.verdicts.length - failed.length} of ${timeline.verdicts.length} expectations` : 'no expectations recorded'} · ${timeline.events.length} events · lab time ${escape(new Date(timeline.start).toISOString())} to ${escape(new Date(timeline.end).toISOString())} (${stamp(timeline, timeline.end)})</p>
<div class="chart-box"><canvas role="img" aria-label="timeline of ${escape(timeline.title)}: ${model.series.map((s) => `${s.data.length} ${s.label}`).join(', ')}"></canvas></div>
<script type="application/json">${scriptJson(model)}</script>
<h3>Verdicts</h3>
${verdictRows.length ? `<table class="verdicts"><thead><tr><th>verdict</th><th>expectation</th><th>at</th><th>why it failed</th></tr></thead><tbody>${verdictRows.join('')}</tbody></table>` : '<p>none</p>'}
<details${failed.length ? ' open' : ''}><summary>Events (${timeline.events.length}${more > 0 ? `; the first ${eventRows.length} listed` : ''})</summary>
<table class="events"><thead><tr><th>at</th><th>device</th><th>event</th><th>data</th></tr></thead><tbody>${eventRows.join('')}</tbody></table>
</details>
</section>`;
}

/**
 * One self-contained HTML page for the runs of a lab or of scenarios: per
 * run a Chart.js timeline (calls, signaling attempts, retries, check-ins,
 * faults … per device), the verdicts and the events. Chart.js and the page
 * script are inlined and allowed by their hashes under a strict CSP, so the
 * page loads nothing and runs nothing else.
 */
export function renderTimelinePage(title: string, timelines: Timeline[]): string {
  const lib = chartLibrary();
  const init = `(${drawTimelines.toString()})();`;
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(init)}; style-src ${sha256(STYLE)}; img-src data:`;
  const failed = timelines.reduce((n, t) => n + t.verdicts.filter((v) => !v.passed).length, 0);
  const total = timelines.reduce((n, t) => n + t.verdicts.length, 0);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="summary${failed ? ' failed' : ''}">${timelines.length} run${timelines.length === 1 ? '' : 's'}, ${total} expectations, ${failed} failed</p>
${timelines.map(run).join('\n')}
<script>${lib}</script>
<script>${init}</script>
</body>
</html>
`;
}
