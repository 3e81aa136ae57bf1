import type { ErrorReport } from '../../firmware-sim/error-report.js';

export interface AppendResult {
  /** False when this exact report (same seq and bytes) was already stored: ACK it again, store nothing. */
  stored: boolean;
  report: ErrorReport;
}

/**
 * Where the modem receiver puts a report before it acknowledges it (spec
 * §3.4: "a report is acknowledged only after its commit").
 *
 * Contract: `appendReport` validates the bytes and stores them durably. It
 * throws ReportDecodeError for an invalid report (the receiver answers
 * NAK FORMAT) and any other error when it cannot store (NAK STORE: the PBX
 * keeps its errors and tries again). Its result — returned, or resolved —
 * means committed. An engine that commits synchronously (SQLite) returns the
 * result directly, so the receiver acknowledges within the same step of
 * virtual time; PostgreSQL returns a promise.
 *
 * Adapter: `database-report-store.ts` (the centre's database); the `.hcs`
 * files of earlier versions are only read, by `centre import`.
 */
export interface ReportStore {
  /** `decoded`: the caller's own decoding of exactly these bytes, when it has one (the modem receiver checks the system id first), so they are not decoded twice. */
  appendReport(bytes: Uint8Array, receivedAt: number, decoded?: ErrorReport): AppendResult | Promise<AppendResult>;
}
