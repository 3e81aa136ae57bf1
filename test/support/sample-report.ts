import type { ErrorRecord } from '../../firmware-sim/error-history.js';
import { PSEUDO_ERROR_CODE } from '../../firmware-sim/error-history.js';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';

/** 2026-01-05 08:00:00 UTC, the VirtualClock default start. */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/**
 * The report used as the hex example in docs/error-report.md: one class-B
 * error and one function-test pseudo error.
 */
export function sampleReport(overrides: Partial<ErrorReport> = {}): ErrorReport {
  const records: ErrorRecord[] = [
    { id: 7, time: T0 + 60_000, cls: 'B', code: 0x0210, location: 'S1/P3', text: 'Trunk 3 no dial tone', pseudo: false },
    { id: 8, time: T0 + 120_000, cls: 'B', code: PSEUDO_ERROR_CODE, location: '', text: 'Function test', pseudo: true },
  ];
  return { systemId: 'PBX0001', pbxType: PbxType.OfficePro, apsVersion: 'HE300M.00.001.01', seq: 42, time: T0 + 180_000, records, ...overrides };
}
