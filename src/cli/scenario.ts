import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { junitXml } from '../scenario/junit.js';
import { loadScenario } from '../scenario/scenario-file.js';
import { runScenario, type ScenarioResult } from '../scenario/scenario-runner.js';
import { renderTimelinePage } from '../timeline/timeline-page.js';
import type { Timeline } from '../timeline/timeline-recorder.js';
import { CliError } from './cli-error.js';
import { writeReport } from './report-file.js';

export function register(program: Command): void {
  const scenario = program.command('scenario').description('hardware-in-the-loop scenarios in virtual time (docs/scenarios.md)');
  scenario
    .command('run')
    .description('run scenario files; exits non-zero when an expectation fails')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .option('--junit <file>', 'write JUnit XML for CI')
    .option('--report <file.html>', 'write a timeline report: one self-contained HTML page with a chart per scenario and the verdicts')
    .action(async (files: string[], opts: { junit?: string; report?: string }) => {
      const results: ScenarioResult[] = [];
      for (const file of files) {
        let parsed;
        try {
          parsed = loadScenario(file);
        } catch (err) {
          throw new CliError((err as Error).message, 2);
        }
        process.stdout.write(`scenario ${parsed.name} (${file})\n`);
        const r = await runScenario(parsed, (line) => process.stdout.write(`  ${line}\n`), { record: opts.report !== undefined });
        results.push(r);
        const failed = r.results.filter((x) => !x.passed).length;
        process.stdout.write(`  ${failed ? 'FAILED' : 'passed'}: ${r.results.length - failed}/${r.results.length} expectations in ${r.elapsedMs} ms\n`);
      }
      if (opts.junit) writeFileSync(opts.junit, junitXml(results));
      if (opts.report) {
        const timelines = results.map((r) => r.timeline).filter((x): x is Timeline => x !== undefined);
        writeReport(opts.report, renderTimelinePage(`hicom-sim scenarios: ${results.map((r) => r.name).join(', ')}`, timelines));
      }
      const bad = results.filter((r) => !r.passed);
      process.stdout.write(`${results.length} scenarios, ${bad.length} failed\n`);
      if (bad.length) throw new CliError(`failed: ${bad.map((r) => r.name).join(', ')}`);
    });
}
