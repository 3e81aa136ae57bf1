import { DEFAULT_TEST_GRACE_MS } from '../database/device-registry.js';
import type { PbxSummary } from '../database/report-archive.js';

/** One PBX from its reports, with its function test judged against an interval given at the command line. */
export interface PbxStatus extends PbxSummary {
  /** When the next function test must have arrived; absent when no interval is given. */
  functionTestDueAt?: number;
  functionTestOverdue: boolean;
}

export interface PbxStatusOptions {
  /** The function-test interval configured in the PBXs (1–7 days); undefined = not judged. */
  functionTestIntervalMs?: number;
  graceMs?: number;
}

/**
 * `centre status --overdue-days N` for PBXs that only report by modem (not
 * registered for supervision): overdue when the last function test (or,
 * before any, the first report) is older than interval + grace.
 */
export function functionTestStatus(summary: PbxSummary, now: number, options: PbxStatusOptions = {}): PbxStatus {
  const interval = options.functionTestIntervalMs;
  if (!interval) return { ...summary, functionTestOverdue: false };
  const since = summary.lastFunctionTestAt ?? summary.firstReceivedAt;
  const functionTestDueAt = since + interval + (options.graceMs ?? DEFAULT_TEST_GRACE_MS);
  return { ...summary, functionTestDueAt, functionTestOverdue: now > functionTestDueAt };
}
