import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import type { ErrorReport } from '../../firmware-sim/error-report.js';

/**
 * The readable form of error reports (spec §3.4: the centre "converts the
 * binary file to a readable format"), shared by `hicom-sim report decode`
 * and the centre. Times are UTC so the output is the same on every machine.
 */

export interface ReportView {
  report: ErrorReport;
  /** Centre time of reception, for reports read from a centre file. */
  receivedAt?: number;
}

export const FUNCTION_TEST_MARK = '[FUNCTION TEST]';

/** "2026-01-05 08:01:00" (UTC). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** Control characters would break the one-line-per-error layout or the terminal. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function formatRecord(r: ErrorRecord): string {
  const code = `0x${r.code.toString(16).padStart(4, '0')}`;
  const location = r.location === '' ? '-' : printable(r.location);
  const mark = r.pseudo ? `  ${FUNCTION_TEST_MARK}` : '';
  return `  ${formatTime(r.time)}  ${r.cls}  ${code}  ${location}  ${printable(r.text)}${mark}`;
}

/** One block: a header line, then one line per error (date time class code location text). */
export function formatReportText({ report, receivedAt }: ReportView): string {
  const received = receivedAt === undefined ? '' : `, received ${formatTime(receivedAt)}`;
  const n = report.records.length;
  const head = `report ${report.seq} from ${report.systemId} (${report.pbxType}, APS ${report.apsVersion || '-'}), built ${formatTime(report.time)} UTC${received}, ${n} error${n === 1 ? '' : 's'}`;
  return [head, ...report.records.map(formatRecord)].join('\n') + '\n';
}

/** Plain data for `--json`: times as ms and as ISO strings. */
export function reportToJson({ report, receivedAt }: ReportView): Record<string, unknown> {
  return {
    ...(receivedAt === undefined ? {} : { receivedAt, receivedAtIso: new Date(receivedAt).toISOString() }),
    ...report,
    timeIso: new Date(report.time).toISOString(),
    records: report.records.map((r) => ({ ...r, timeIso: new Date(r.time).toISOString() })),
  };
}
