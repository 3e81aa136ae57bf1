import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { CENTRE_FILE_HEADER, encodeCentreRecord, parseCentreFile, type StoredReport } from './centre-file.js';
import { CENTRE_FILE_SUFFIX, describeProblem, readCentreDirectory, type CentreFileRead } from './centre-directory.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodeReport } from './report-decoder.js';
import type { PbxSummary } from '../database/report-archive.js';

/**
 * The centre's files (spec §3.4: "appends to the same file per PBX"): one
 * file per PBX, named by its system id, in one directory. Every append is
 * one write followed by fsync, and happens before the receiver sends ACK,
 * so an acknowledged report is on disk. A crash mid-append leaves a torn
 * last record, which the writer's `open()` cuts back to the last whole
 * record (keeping a copy) and logs; readers use `openReadOnly()`, which
 * changes nothing.
 *
 * The API is synchronous on purpose: reports are small and arrive at modem
 * speed, and one synchronous append can never interleave with another, so
 * a centre with several modems needs no locking within its process.
 */

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

/** One PBX as its reports show it: the same figures whether they come from the files or the database. */
export type { PbxSummary };

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
  /** Damaged files: appends for them are refused so nothing is written after damage. */
  #unreadable = new Map<string, string>();
  /** Files with a problem (damage, or a torn tail a read-only store does not repair), as read. */
  #problems: CentreFileRead[] = [];
  #readOnly: boolean;

  private constructor(dir: string, options: CentreStoreOptions, readOnly: boolean) {
    this.dir = dir;
    this.#readOnly = readOnly;
    this.#log = (options.logger ?? silentLogger).child({ component: 'centre-store' });
    this.#fsync = options.fsync ?? true;
  }

  /**
   * The writer's open: create the directory if needed, cut a torn tail back
   * to the last whole record (keeping a copy of what it cut beside the
   * file), index every file. A damaged file is left exactly as it is and
   * appends for its PBX are refused.
   */
  static open(dir: string, options: CentreStoreOptions = {}): CentreStore {
    mkdirSync(dir, { recursive: true });
    const store = new CentreStore(dir, options, false);
    for (const read of readCentreDirectory(dir)) {
      if (read.damage.length === 0 && read.tornTail) store.#repair(read);
      store.#load(read);
    }
    return store;
  }

  /**
   * A reader's open (`centre status`): the directory must exist, files are
   * only read, torn tails and damage are listed by `problems()`, and
   * `appendReport` is refused.
   */
  static openReadOnly(dir: string, options: Pick<CentreStoreOptions, 'logger'> = {}): CentreStore {
    const store = new CentreStore(dir, options, true);
    for (const read of readCentreDirectory(dir)) store.#load(read);
    return store;
  }

  fileOf(systemId: string): string {
    return join(this.dir, systemId + CENTRE_FILE_SUFFIX);
  }

  /** System ids whose file is damaged, with the reason. */
  unreadable(): Map<string, string> {
    return new Map(this.#unreadable);
  }

  /** Files found damaged, or (read-only) with a torn tail, at open. */
  problems(): CentreFileRead[] {
    return [...this.#problems];
  }

  /**
   * Validate and durably append one received report (the bytes exactly as
   * they arrived in the frame). Throws ReportDecodeError for an invalid
   * report (answer `NAK FORMAT`) and CentreStoreError when it cannot be
   * stored (answer `NAK STORE`). Returns only after fsync: then send ACK.
   */
  appendReport(bytes: Uint8Array, receivedAt: number): AppendResult {
    if (this.#readOnly) throw new CentreStoreError(`centre directory ${this.dir} is open read-only`);
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

  /**
   * Cut a torn tail back to the last whole record. What is cut is first
   * written, synced, to `<file>.torn-at-<offset>` (numbered when that exists):
   * the writer decides that the bytes are an interrupted append, and the copy
   * lets an operator see it was right.
   */
  #repair(read: CentreFileRead): void {
    const torn = read.tornTail!;
    const { file, systemId } = read;
    const fd = openSync(file, 'r+');
    let copy: string | undefined;
    try {
      if (torn.bytes > 0) {
        const cut = Buffer.alloc(torn.bytes);
        readSync(fd, cut, 0, cut.length, torn.offset);
        copy = this.#keepCopy(file, torn.offset, cut);
      }
      if (read.validBytes === 0) {
        ftruncateSync(fd, 0);
        writeAll(fd, CENTRE_FILE_HEADER);
      } else {
        ftruncateSync(fd, read.validBytes);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    read.tornTail = undefined;
    this.#log.warn({ systemId, file, offset: torn.offset, droppedBytes: torn.bytes, reason: torn.reason, copy }, 'torn tail from an interrupted append repaired');
  }

  #keepCopy(file: string, offset: number, bytes: Buffer): string {
    for (let n = 1; ; n++) {
      const copy = `${file}.torn-at-${offset}${n > 1 ? `.${n}` : ''}`;
      let fd: number;
      try {
        fd = openSync(copy, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      try {
        writeAll(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      syncDir(this.dir);
      return copy;
    }
  }

  #load(read: CentreFileRead): void {
    const { systemId } = read;
    if (read.damage.length > 0) {
      const problem = describeProblem(read)!;
      this.#unreadable.set(systemId, problem);
      this.#log.error({ systemId, file: read.file, damage: read.damage }, 'centre file damaged; kept as it is, reports for this PBX are refused until it is fixed');
    }
    if (read.damage.length > 0 || read.tornTail) this.#problems.push(read);
    for (const r of read.reports) this.#index(systemId, r);
    if (read.reports.length === 0) this.#log.warn({ systemId }, 'centre file has no reports');
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
