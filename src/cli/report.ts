import type { Command } from 'commander';

/**
 * `hicom-sim report decode FILE [--json]`: the offline reader of spec §4.11
 * for a single binary error report or a centre's per-PBX file (told apart
 * by their magic).
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('error reports from PBXs (docs/error-report.md)')
    .command('decode')
    .description('print a binary error report or a centre per-PBX file in readable form')
    .argument('<file>', 'a single report ("HCER") or a centre file ("HCCS")')
    .option('--json', 'print one JSON object for programs')
    .action(async (file: string, opts: { json?: boolean }) => (await import('./report-run.js')).decode(file, opts));
}
