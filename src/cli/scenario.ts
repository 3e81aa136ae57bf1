import type { Command } from 'commander';
import type { TraceFormat } from '../lab/trace-format.js';
import { addTraceOptions } from './trace-options.js';

export function register(program: Command): void {
  const scenario = program.command('scenario').description('hardware-in-the-loop scenarios in virtual time (docs/scenarios.md)');
  addTraceOptions(scenario
    .command('run')
    .description('run scenario files; exits 1 when an expectation fails, 2 when a file is bad (all are checked before any runs)')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .option('--junit <file>', 'write JUnit XML for CI (checked for writability before anything runs)')
    .option('--report <file.html>', 'write a timeline report: one self-contained HTML page with a chart per scenario and the verdicts'), 'every data call of every scenario, in virtual time,')
    .action(async (files: string[], opts: { junit?: string; report?: string; trace?: string; traceFormat?: TraceFormat }) => (await import('./scenario-run.js')).run(files, opts));
}
