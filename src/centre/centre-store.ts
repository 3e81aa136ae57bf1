import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { isValidSystemId } from '../../firmware-sim/error-report.js';
import type { PbxType } from '../../firmware-sim/pbx-type.js';
import { CENTRE_FILE_HEADER, encodeCentreRecord, parseCentreFile, type StoredReport } from './centre-file.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodeReport } from './report-decoder.js';

/**
 * The centre's files (spec §3.4: "appends to the same file per PBX"): one
 * file per PBX, named by its system id, in one directory. Every append is
 * one write followed by fsync, and happens before the receiver sends ACK,
 * so an acknowledged report is on disk. A crash mid-append leaves a torn
 * last record, which `open()` cuts back to the last whole record and logs.
 *
 * The API is synchronous on purpose: reports are small and arrive at modem
 * speed, and one synchronous append can never interleave with another, so
 * a centre with several modems needs no locking within its process.
 */

export const CENTRE_FILE_SUFFIX = '.hcs';

/**
 * Slack before a function test counts as overdue: the PBX signals at the
 * next interval (≤ 15 min) and retries up to 5 times at that interval
 * (spec §3.4), so a report can lag its pseudo error by up to 75 min.
 */
export const DEFAULT_FUNCTION_TEST_GRACE_MS = 2 * 3600_000;

export interface CentreStoreOptions {
  logger?: Logger;
  /** fsync every append (default true). Only benchmarks on throwaway directories turn it off. */
  fsync?: boolean;
}

export interface AppendResult {
  /** False when this exact report (same seq and bytes) was already stored: ACK it again, store nothing. */
  stored: boolean;
  report: ErrorReport;
}

export interface PbxSummary {
  systemId: string;
  pbxType: PbxType;
  apsVersion: string;
  reports: number;
  /** Distinct error records (by id and time; a report re-sent after a lost ACK is counted once). */
  errors: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  lastSeq: number;
  /** Centre time of the last report that carried a function-test pseudo error. */
  lastFunctionTestAt?: number;
}

export interface PbxStatus extends PbxSummary {
  /** When the next function test must have arrived; absent when no interval is configured. */
  functionTestDueAt?: number;
  functionTestOverdue: boolean;
}

export interface StatusOptions {
  /** The function-test interval configured in the PBXs (1–7 days); undefined = not supervised. */
  functionTestIntervalMs?: number;
  graceMs?: number;
}

export class CentreStoreError extends Error {
  override name = 'CentreStoreError';
}

interface Entry {
  summary: PbxSummary;
  /** seq → report CRC, to recognise a re-sent report. */
  seqs: Map<number, number>;
  errorKeys: Set<string>;
}

export class CentreStore {
  readonly dir: string;
  #log: Logger;
  #fsync: boolean;
  #entries = new Map<string, Entry>();
  /** Files that could not be read: appends for them are refused so nothing is overwritten. */
  #unreadable = new Map<string, string>();

  private constructor(dir: string, options: CentreStoreOptions) {
    this.dir = dir;
    this.#log = (options.logger ?? silentLogger).child({ component: 'centre-store' });
    this.#fsync = options.fsync ?? true;
  }

  /** Open (creating if needed) the directory, repair torn tails, index every file. */
  static open(dir: string, options: CentreStoreOptions = {}): CentreStore {
    mkdirSync(dir, { recursive: true });
    const store = new CentreStore(dir, options);
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith(CENTRE_FILE_SUFFIX)) continue;
      const systemId = name.slice(0, -CENTRE_FILE_SUFFIX.length);
      if (!isValidSystemId(systemId)) continue;
      try {
        store.#load(systemId, store.#repair(systemId));
      } catch (err) {
        store.#unreadable.set(systemId, (err as Error).message);
        store.#log.error({ systemId, file: store.fileOf(systemId), err: (err as Error).message }, 'centre file unreadable; reports for this PBX are refused until it is fixed');
      }
    }
    return store;
  }

  fileOf(systemId: string): string {
    return join(this.dir, systemId + CENTRE_FILE_SUFFIX);
  }

  /** System ids whose file could not be read at open, with the reason. */
  unreadable(): Map<string, string> {
    return new Map(this.#unreadable);
  }

  /**
   * Validate and durably append one received report (the bytes exactly as
   * they arrived in the frame). Throws ReportDecodeError for an invalid
   * report (answer `NAK FORMAT`) and CentreStoreError when it cannot be
   * stored (answer `NAK STORE`). Returns only after fsync: then send ACK.
   */
  appendReport(bytes: Uint8Array, receivedAt: number): AppendResult {
    if (!Number.isSafeInteger(receivedAt) || receivedAt < 0) throw new CentreStoreError(`receivedAt must be ms since epoch, got ${receivedAt}`);
    const report = decodeReport(bytes);
    const { systemId } = report;
    const broken = this.#unreadable.get(systemId);
    if (broken !== undefined) throw new CentreStoreError(`file of ${systemId} is unreadable (${broken}); not appending`);
    const crc = Buffer.from(bytes).readUInt32BE(bytes.length - 4);
    const entry = this.#entries.get(systemId);
    if (entry?.seqs.get(report.seq) === crc) {
      this.#log.info({ systemId, seq: report.seq }, 'report already stored (re-sent after a lost ACK)');
      return { stored: false, report };
    }
    const file = this.fileOf(systemId);
    try {
      if (!entry) this.#create(file);
      this.#write(file, encodeCentreRecord(bytes, receivedAt));
    } catch (err) {
      throw new CentreStoreError(`cannot store report ${report.seq} of ${systemId}: ${(err as Error).message}`);
    }
    this.#index(systemId, { offset: -1, receivedAt, report, bytes: Buffer.from(bytes) });
    this.#log.info({ systemId, seq: report.seq, records: report.records.length }, 'report stored');
    return { stored: true, report };
  }

  /** Every report of one PBX, oldest first; empty for an unknown PBX. */
  readReports(systemId: string): StoredReport[] {
    if (!this.#entries.has(systemId)) return [];
    return parseCentreFile(readFileSync(this.fileOf(systemId))).reports;
  }

  /** Known PBXs, by system id. */
  systems(): PbxSummary[] {
    return [...this.#entries.values()].map((e) => ({ ...e.summary })).sort((a, b) => a.systemId.localeCompare(b.systemId));
  }

  /** Known PBXs with their function-test supervision at centre time `now`. */
  status(now: number, options: StatusOptions = {}): PbxStatus[] {
    return this.systems().map((s) => functionTestStatus(s, now, options));
  }

  /** Cut a torn tail back to the last whole record; returns the file's good contents. */
  #repair(systemId: string): StoredReport[] {
    const file = this.fileOf(systemId);
    const contents = parseCentreFile(readFileSync(file));
    const torn = contents.tornTail;
    if (torn) {
      const fd = openSync(file, 'r+');
      try {
        if (contents.validBytes === 0) {
          ftruncateSync(fd, 0);
          writeAll(fd, CENTRE_FILE_HEADER);
        } else {
          ftruncateSync(fd, contents.validBytes);
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.#log.warn({ systemId, file, offset: torn.offset, droppedBytes: torn.bytes, reason: torn.reason }, 'torn tail from an interrupted append repaired');
    }
    return contents.reports;
  }

  #load(systemId: string, reports: StoredReport[]): void {
    for (const r of reports) {
      if (r.report.systemId !== systemId) throw new CentreStoreError(`record at byte ${r.offset} belongs to ${r.report.systemId}, not ${systemId}`);
      this.#index(systemId, r);
    }
    if (reports.length === 0) this.#log.warn({ systemId }, 'centre file has no reports');
  }

  #index(systemId: string, stored: StoredReport): void {
    const { report, receivedAt, bytes } = stored;
    let entry = this.#entries.get(systemId);
    if (!entry) {
      entry = {
        summary: { systemId, pbxType: report.pbxType, apsVersion: report.apsVersion, reports: 0, errors: 0, firstReceivedAt: receivedAt, lastReceivedAt: receivedAt, lastSeq: report.seq },
        seqs: new Map(),
        errorKeys: new Set(),
      };
      this.#entries.set(systemId, entry);
    }
    const s = entry.summary;
    s.pbxType = report.pbxType;
    s.apsVersion = report.apsVersion;
    s.reports++;
    s.lastReceivedAt = Math.max(s.lastReceivedAt, receivedAt);
    s.lastSeq = report.seq;
    for (const r of report.records) entry.errorKeys.add(`${r.id}@${r.time}`);
    s.errors = entry.errorKeys.size;
    if (report.records.some((r) => r.pseudo)) s.lastFunctionTestAt = Math.max(s.lastFunctionTestAt ?? receivedAt, receivedAt);
    entry.seqs.set(report.seq, bytes.readUInt32BE(bytes.length - 4));
  }

  /** New file: header written and synced, and the directory entry synced, before the first record. */
  #create(file: string): void {
    if (existsSync(file)) return; // an empty leftover from a crash during creation, already repaired
    const fd = openSync(file, 'wx');
    try {
      writeAll(fd, CENTRE_FILE_HEADER);
      if (this.#fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.#fsync) syncDir(this.dir);
  }

  #write(file: string, record: Buffer): void {
    const fd = openSync(file, 'a');
    try {
      writeAll(fd, record);
      if (this.#fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Overdue when the last function test (or, before any, the first report) is older than interval + grace. */
export function functionTestStatus(summary: PbxSummary, now: number, options: StatusOptions = {}): PbxStatus {
  const interval = options.functionTestIntervalMs;
  if (!interval) return { ...summary, functionTestOverdue: false };
  const since = summary.lastFunctionTestAt ?? summary.firstReceivedAt;
  const functionTestDueAt = since + interval + (options.graceMs ?? DEFAULT_FUNCTION_TEST_GRACE_MS);
  return { ...summary, functionTestDueAt, functionTestOverdue: now > functionTestDueAt };
}

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
