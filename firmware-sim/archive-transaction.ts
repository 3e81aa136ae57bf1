import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { entryHash, type ArchiveMark, type LogEntry, type ProtocolLog } from './protocol-log.js';

/**
 * One archiving run as the PBX sees it (spec §3.8; protocol in
 * docs/session-protocol.md, "Protocol log: fetch and archive").
 *
 *   (none) ──begin──► HandingOut ──next…(last chunk)──► AllSent ──commit matches──► Committed
 *          ──begin, nothing to archive──────────────────► AllSent
 *                         │                               │
 *                         └──── abort, error, wrong commit, line loss ────► (dropped: nothing deleted)
 *
 * The range is fixed at `begin` (entries after the mark up to the last one
 * then); entries logged meanwhile wait for the next run. Nothing is deleted
 * until the client commits exactly the last entry handed out, with its hash.
 */
export enum ArchiveState {
  HandingOut = 'handing-out',
  AllSent = 'all-sent',
  Committed = 'committed',
}

const ARCHIVE_MOVES: TransitionTable<ArchiveState> = {
  [ArchiveState.HandingOut]: [ArchiveState.AllSent],
  [ArchiveState.AllSent]: [ArchiveState.Committed],
  [ArchiveState.Committed]: [],
};

/** Entries per LogEntries frame while archiving (≈ 16 KB of payload). */
export const ARCHIVE_CHUNK_ENTRIES = 256;

export { entryHash };

export interface ArchiveRange {
  /** First and last seq handed out; 0/0 when there is nothing to archive. */
  from: number;
  to: number;
  count: number;
  chunks: number;
}

export class ArchiveTransaction {
  readonly mark: ArchiveMark | undefined;
  readonly range: ArchiveRange;
  readonly #machine: StateMachine<ArchiveState>;
  readonly #entries: LogEntry[];
  readonly #chunkSize: number;
  #sent = 0;

  constructor(log: ProtocolLog, chunkSize = ARCHIVE_CHUNK_ENTRIES) {
    this.mark = log.archiveMark();
    this.#chunkSize = chunkSize;
    const last = log.lastSeq();
    this.#entries = log.read((this.mark?.seq ?? 0) + 1).filter((e) => e.seq <= last);
    const first = this.#entries[0];
    this.range = {
      from: first?.seq ?? 0,
      to: this.#entries.at(-1)?.seq ?? 0,
      count: this.#entries.length,
      chunks: Math.ceil(this.#entries.length / chunkSize),
    };
    this.#machine = new StateMachine('archiving', ARCHIVE_MOVES, this.#entries.length === 0 ? ArchiveState.AllSent : ArchiveState.HandingOut);
  }

  get state(): ArchiveState {
    return this.#machine.state;
  }

  /** Chunks handed out so far. */
  get chunksSent(): number {
    return Math.ceil(this.#sent / this.#chunkSize);
  }

  /** The next chunk, or undefined when all were handed out. */
  next(): LogEntry[] | undefined {
    if (!this.#machine.is(ArchiveState.HandingOut)) return undefined;
    const chunk = this.#entries.slice(this.#sent, this.#sent + this.#chunkSize);
    this.#sent += chunk.length;
    if (this.#sent >= this.#entries.length) this.#machine.transition(ArchiveState.AllSent);
    return chunk;
  }

  /**
   * Check a commit against what was handed out and against the log now.
   * Returns the mark to store, or an error text (the caller drops the run).
   */
  checkCommit(log: ProtocolLog, seq: number, hash: string): { ok: true; mark: ArchiveMark } | { ok: false; code: number; error: string } {
    if (!this.#machine.is(ArchiveState.AllSent)) return { ok: false, code: 409, error: `commit before all ${this.range.chunks} chunks were fetched (${this.chunksSent} so far)` };
    const last = this.#entries.at(-1);
    if (!last) return { ok: false, code: 409, error: 'nothing was handed out, nothing to commit' };
    if (seq !== last.seq) return { ok: false, code: 409, error: `commit names seq ${seq}, but the last entry handed out is ${last.seq}` };
    const expected = entryHash(last);
    if (hash.toLowerCase() !== expected) return { ok: false, code: 409, error: `commit hash does not match entry ${seq} as handed out` };
    const now = log.archiveMark();
    if (now?.seq !== this.mark?.seq || now?.hash !== this.mark?.hash) return { ok: false, code: 409, error: 'another archiving run finished meanwhile' };
    return { ok: true, mark: { seq, hash: expected } };
  }

  committed(): void {
    this.#machine.transition(ArchiveState.Committed);
  }
}
