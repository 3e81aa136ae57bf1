import { junitXml } from '../scenario/junit.js';
import { loadScenario } from '../scenario/scenario-file.js';
import { fleetVisitor } from '../scenario/fleet-visitor.js';
import { runMaintenanceScenario } from '../scenario/maintenance-week.js';
import { runScenario, type ScenarioResult } from '../scenario/scenario-runner.js';
import { renderTimelinePage } from '../timeline/timeline-page.js';
import type { Timeline } from '../timeline/timeline-recorder.js';
import { EXIT, ExitError } from '../exit-codes.js';
import type { TraceFormat } from '../lab/trace-format.js';
import { checkTraceOptions, openTrace } from './trace-file.js';
import { checkWritable, writeOutputFile } from './user-files.js';

/**
 * `hicom-sim scenario run FILE… [--junit FILE] [--report FILE.html] [--trace FILE]`: every
 * file is read and checked, and the outputs checked, before the first
 * scenario runs, so a typo in the last file or a directory as --junit does
 * not end a long run.
 */
export async function run(files: string[], opts: { junit?: string; report?: string; trace?: string; traceFormat?: TraceFormat }): Promise<void> {
  if (opts.junit !== undefined) checkWritable(opts.junit, '--junit');
  if (opts.report !== undefined) checkWritable(opts.report, '--report');
  checkTraceOptions(opts);
  const scenarios = files.map((file) => ({ file, scenario: loadScenario(file) }));
  const trace = openTrace(opts);
  const results: ScenarioResult[] = [];
  const progress = (line: string) => process.stdout.write(`  ${line}\n`);
  for (const { file, scenario: loaded } of scenarios) {
    process.stdout.write(`scenario ${loaded.scenario.name} (${file})\n`);
    const r = loaded.kind === 'lab'
      ? await runScenario(loaded.scenario, progress, { record: opts.report !== undefined, ...(trace ? { trace } : {}) })
      : await runMaintenanceScenario(loaded.scenario, fleetVisitor, progress);
    results.push(r);
    const failed = r.results.filter((x) => !x.passed).length;
    process.stdout.write(`  ${failed ? 'FAILED' : 'passed'}: ${r.results.length - failed}/${r.results.length} expectations in ${r.elapsedMs} ms\n`);
  }
  if (trace) {
    trace.close();
    process.stdout.write(`trace: ${trace.path}\n`);
  }
  if (opts.junit !== undefined) writeOutputFile(opts.junit, junitXml(results), '--junit');
  if (opts.report !== undefined) {
    const timelines = results.map((r) => r.timeline).filter((x): x is Timeline => x !== undefined);
    writeOutputFile(opts.report, renderTimelinePage(`hicom-sim scenarios: ${results.map((r) => r.name).join(', ')}`, timelines), '--report');
    process.stdout.write(`timeline report: ${opts.report}\n`);
  }
  const bad = results.filter((r) => !r.passed);
  process.stdout.write(`${results.length} scenarios, ${bad.length} failed\n`);
  if (bad.length) throw new ExitError(`failed: ${bad.map((r) => r.name).join(', ')}`, EXIT.failed);
}
