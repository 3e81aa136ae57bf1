import { createHash } from 'node:crypto';

/**
 * The protocol (audit) log of spec §3.8: when – who – what.
 *
 * Format ids (seed manual, "Mögliche Format-Identifikationen"):
 *   1 Assistant T command          2 Assistant TC command
 *   3 session (A0-1 login, A0-2 logout, A0-3 unauthorized attempt)
 *   4 database ("KDS Neugenerierung", "Datenbasis schreiben")
 *   5 APS (A2-1 APSXF started, A2-2 ended, A2-3 startup with version)
 *   6 maintenance (B1-1 … B8-1)
 *   7 simulated / pseudo T commands (C1 … C10)
 *   8 online (D1-1 archiving, D2-1 new user, D2-2 delete user, D3-1 password)
 */
export type FormatId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const FORMAT_NAME: Record<FormatId, string> = {
  1: 'Assistant T',
  2: 'Assistant TC',
  3: 'session',
  4: 'database',
  5: 'APS',
  6: 'maintenance',
  7: 'simulated T',
  8: 'online',
};

/** What the caller hands to `append`. */
export interface LogRecord {
  /** ms since epoch, from the injected clock. */
  time: number;
  /** User name as logged in ("amhost" for AMHOST, "system" for the PBX itself). */
  user: string;
  /** Circle letter (see circles.ts) or '-' for none. */
  circle: string;
  format: FormatId;
  /** The command as typed or simulated, with its addressing parameters. */
  command: string;
}

/** A stored entry: the record plus its sequence number (1, 2, … never reused). */
export interface LogEntry extends LogRecord {
  seq: number;
}

/** The stored entry of `record`, field by field: a spread (`{ ...record, seq }`) would give each entry a hidden class of its own (error-history.ts). */
export function logEntry(record: Readonly<LogRecord>, seq: number): LogEntry {
  return { time: record.time, user: record.user, circle: record.circle, format: record.format, command: record.command, seq };
}

/** Thrown when an entry cannot be made durable: the action must be refused. */
export class LogAppendError extends Error {
  override name = 'LogAppendError';
}

/** Where the last archiving ended, so the next one can check the file's tail. */
export interface ArchiveMark {
  seq: number;
  /** Hex SHA-256 of the last archived entry's canonical line. */
  hash: string;
}

/**
 * Contract:
 * - `append` makes the entry durable before it returns and returns it with
 *   its sequence number; it throws LogAppendError when it cannot (the caller
 *   refuses the action it was about to run). With no log medium present
 *   (`available` false) it returns undefined and stores nothing: the seed
 *   says there is no logging without a 10 MB FMC.
 * - `read` returns entries with seq ≥ fromSeq in order; reading never logs.
 * - `deleteUpTo(seq)` removes entries with seq ≤ seq (after archiving) and
 *   records the archive mark.
 * - `fill` is the used fraction of the log area, 0..1.
 */
export interface ProtocolLog {
  readonly available: boolean;
  append(record: LogRecord): LogEntry | undefined;
  read(fromSeq?: number, limit?: number): LogEntry[];
  deleteUpTo(seq: number, mark: ArchiveMark): number;
  archiveMark(): ArchiveMark | undefined;
  fill(): number;
  /** Highest sequence number ever assigned (0 if none). */
  lastSeq(): number;
}

/** Fill above which the class-A "Revisor Alarm" is raised (seed: "circa 80 Prozent"). */
export const REVISOR_ALARM_FILL = 0.8;

/** Canonical one-line text of an entry, used by hashes and printouts. */
export function formatEntry(e: LogEntry): string {
  const d = new Date(e.time);
  const date = `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
  const time = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
  return `${String(e.seq).padStart(6, '0')} ${date} ${time} ${e.user.padEnd(16)} ${e.circle} (${e.format}) ${e.command}`;
}

/**
 * Log kept in RAM: the stand-in until the flash-backed log is mounted, and
 * the log of a PBX without FMC when `available` is false.
 */
export class MemoryProtocolLog implements ProtocolLog {
  readonly available: boolean;
  readonly #capacity: number;
  #entries: LogEntry[] = [];
  #seq = 0;
  #mark: ArchiveMark | undefined;

  constructor(options: { available?: boolean; capacity?: number } = {}) {
    this.available = options.available ?? true;
    this.#capacity = options.capacity ?? 16_000;
  }

  append(record: LogRecord): LogEntry | undefined {
    if (!this.available) return undefined;
    const entry = logEntry(record, ++this.#seq);
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    return entry;
  }

  read(fromSeq = 0, limit = Infinity): LogEntry[] {
    const out: LogEntry[] = [];
    for (const e of this.#entries) {
      if (e.seq < fromSeq) continue;
      if (out.length >= limit) break;
      out.push({ ...e });
    }
    return out;
  }

  deleteUpTo(seq: number, mark: ArchiveMark): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.seq > seq);
    this.#mark = mark;
    return before - this.#entries.length;
  }

  archiveMark(): ArchiveMark | undefined {
    return this.#mark;
  }

  fill(): number {
    return this.#entries.length / this.#capacity;
  }

  lastSeq(): number {
    return this.#seq;
  }
}

/** SHA-256 (hex) of an entry's canonical printout line: what an ArchiveMark stores. */
export function entryHash(e: LogEntry): string {
  return createHash('sha256').update(formatEntry(e)).digest('hex');
}
