import { looksLikeCentreFile, parseCentreFile, type CentreFileDamage, type TornTail } from '../centre/centre-file.js';
import { decodeReport, ReportDecodeError } from '../centre/report-decoder.js';
import { formatReportText, reportToJson, type ReportView } from '../centre/report-text.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { readInputFile } from './user-files.js';

/** `hicom-sim report decode FILE`: what can be read is printed; a torn or damaged centre file then exits 2 naming the place. */
export function decode(file: string, opts: { json?: boolean }): void {
  const { kind, views, tornTail, damage } = readReports(file);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ file, kind, reports: views.map(reportToJson), ...(tornTail ? { tornTail } : {}), ...(damage.length ? { damage } : {}) })}\n`);
  } else {
    process.stdout.write(views.length ? views.map(formatReportText).join('\n') : 'no reports\n');
  }
  if (damage.length) {
    const d = damage[0];
    throw new ExitError(`${file}: damaged at byte ${d.offset} (${d.reason}, ${d.bytes} bytes)${damage.length > 1 ? ` and ${damage.length - 1} more place(s)` : ''}; the other reports are printed`, EXIT.usage);
  }
  if (tornTail) {
    throw new ExitError(`${file}: torn last record at byte ${tornTail.offset} (${tornTail.bytes} bytes, ${tornTail.reason}); the whole reports before it are shown above`, EXIT.usage);
  }
}

function readReports(file: string): { kind: 'report' | 'centre-file'; views: ReportView[]; tornTail?: TornTail; damage: CentreFileDamage[] } {
  const bytes = readInputFile(file);
  if (looksLikeCentreFile(bytes)) {
    const contents = parseCentreFile(bytes);
    return { kind: 'centre-file', views: contents.reports.map(({ report, receivedAt }) => ({ report, receivedAt })), tornTail: contents.tornTail, damage: contents.damage };
  }
  try {
    return { kind: 'report', views: [{ report: decodeReport(bytes) }], damage: [] };
  } catch (err) {
    if (err instanceof ReportDecodeError) throw new ExitError(`${file}: ${err.message}`, EXIT.usage);
    throw err;
  }
}
