import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { looksLikeCentreFile, parseCentreFile, type CentreFileDamage, type TornTail } from '../centre/centre-file.js';
import { decodeReport, ReportDecodeError } from '../centre/report-decoder.js';
import { formatReportText, reportToJson, type ReportView } from '../centre/report-text.js';
import { ioReason } from '../storage/io-reason.js';
import { CliError } from './cli-error.js';

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
    .action((file: string, opts: { json?: boolean }) => {
      const { kind, views, tornTail, damage } = readReports(file);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file, kind, reports: views.map(reportToJson), ...(tornTail ? { tornTail } : {}), ...(damage.length ? { damage } : {}) })}\n`);
      } else {
        process.stdout.write(views.length ? views.map(formatReportText).join('\n') : 'no reports\n');
      }
      if (damage.length) {
        const d = damage[0];
        throw new CliError(`${file}: damaged at byte ${d.offset} (${d.reason}, ${d.bytes} bytes)${damage.length > 1 ? ` and ${damage.length - 1} more place(s)` : ''}; the other reports are printed`, 2);
      }
      if (tornTail) {
        throw new CliError(`${file}: torn last record at byte ${tornTail.offset} (${tornTail.bytes} bytes, ${tornTail.reason}); the whole reports before it are shown above`, 2);
      }
    });
}

function readReports(file: string): { kind: 'report' | 'centre-file'; views: ReportView[]; tornTail?: TornTail; damage: CentreFileDamage[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${ioReason(err)}`, 2);
  }
  if (looksLikeCentreFile(bytes)) {
    const contents = parseCentreFile(bytes);
    return { kind: 'centre-file', views: contents.reports.map(({ report, receivedAt }) => ({ report, receivedAt })), tornTail: contents.tornTail, damage: contents.damage };
  }
  try {
    return { kind: 'report', views: [{ report: decodeReport(bytes) }], damage: [] };
  } catch (err) {
    if (err instanceof ReportDecodeError) throw new CliError(`${file}: ${err.message}`, 2);
    throw err;
  }
}
