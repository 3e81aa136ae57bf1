/**
 * The revisor's side of the protocol-log commands (spec §3.8): fetch
 * entries for viewing (they stay in the PBX) and archive them into a `.arc`
 * file so that no entry is ever lost or written twice, whatever breaks.
 * Protocol: docs/session-protocol.md, "Protocol log: fetch and archive".
 */
import { existsSync } from 'node:fs';
import { FrameType } from '../../firmware-sim/armored-frame.js';
import { decodeLogEntries, LogEntriesError } from '../../firmware-sim/log-entries-codec.js';
import { formatEntry, type ArchiveMark, type LogEntry } from '../../firmware-sim/protocol-log.js';
import {
  appendEntries, ArchiveError, createArchive, entryHash, openArchiveForAppend, verifyArchive, type ArchiveHeader,
} from './archive-file.js';
import { SessionClient, SessionError, type Reply } from '../clients/session-client.js';

/** A refusal or failure of an archiving run; nothing was deleted in the PBX unless `committed`. */
export class RevisorError extends Error {
  override name = 'RevisorError';
}

/** What the PBX says at `log archive begin`. */
export interface ArchiveBegin {
  systemId: string;
  pbxName: string;
  mark: ArchiveMark | undefined;
  /** Entries handed out: seq range and count; from = to = 0 when there are none. */
  from: number;
  to: number;
  count: number;
  chunks: number;
}

export interface ArchiveOptions {
  /** Start a new archive file (`--new`); refused if the file exists or the PBX has archived before. */
  create?: boolean;
  /** Creation time written into a new archive's header. */
  now?: () => Date;
  /**
   * Runs after the entries are durably appended and before the commit is
   * sent: the window a client crash would hit. Tests throw here.
   */
  beforeCommit?: () => void | Promise<void>;
  /**
   * The archive `file` continues: this PBX's archive of an earlier year
   * (the centre keeps one file per year). While `file` holds nothing up to
   * the PBX's mark — it is new, or was started and its commit never
   * reached the PBX — the mark is checked against this file instead.
   */
  previous?: string;
}

export interface ArchiveResult {
  begin: ArchiveBegin;
  /** Entries already in the file from an earlier run whose commit never reached the PBX. */
  skipped: number;
  appended: number;
  /** Last seq the PBX deleted up to, undefined when there was nothing to archive. */
  committedSeq: number | undefined;
  /** The PBX's note after the commit ("n entries archived and deleted up to s"). */
  note: string;
  /** A torn last line of an interrupted append was cut off. */
  repairedTornBytes: number;
}

/** Entries from `seq` on (all by default); they stay in the PBX and reading them is not logged. */
export async function fetchEntries(client: SessionClient, from = 0): Promise<LogEntry[]> {
  const reply = await client.run(from > 0 ? `log fetch from ${from}` : 'log fetch');
  return decodeLogEntries(SessionClient.frameFrom(reply, FrameType.LogEntries));
}

/** Read the `key: value` lines of the `log archive begin` reply. */
export function parseBegin(reply: Reply): ArchiveBegin {
  const fields = new Map<string, string>();
  for (const line of reply.lines) {
    const m = /^([a-z-]+): (.*)$/.exec(line);
    if (m) fields.set(m[1], m[2]);
  }
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined) throw new RevisorError(`the PBX's "log archive begin" reply has no ${k} line`);
    return v;
  };
  const markText = need('mark');
  const m = /^(\d+) ([0-9a-f]{64})$/.exec(markText);
  if (markText !== 'none' && !m) throw new RevisorError(`unreadable archive mark "${markText}"`);
  const rangeText = need('range');
  const r = /^(\d+)-(\d+)$/.exec(rangeText);
  if (rangeText !== 'none' && !r) throw new RevisorError(`unreadable range "${rangeText}"`);
  const count = Number(need('count'));
  const chunks = Number(need('chunks'));
  if (!Number.isInteger(count) || !Number.isInteger(chunks)) throw new RevisorError('unreadable count or chunks in the begin reply');
  return {
    systemId: need('system-id'),
    pbxName: need('pbx-name'),
    mark: m ? { seq: Number(m[1]), hash: m[2] } : undefined,
    from: r ? Number(r[1]) : 0,
    to: r ? Number(r[2]) : 0,
    count,
    chunks,
  };
}

/** Where the file stands against the PBX's mark, before anything is fetched. */
interface FilePlan {
  header: ArchiveHeader | undefined;
  /** Entries in the file after the PBX's mark: appended by a run whose commit was lost. */
  ahead: LogEntry[];
  tailSeq: number;
  tornBytes: number;
}

/** The archive an archiving run continues: it must exist and verify (an incomplete last line aside). */
export function readExisting(file: string): ReturnType<typeof verifyArchive> {
  if (!existsSync(file)) throw new RevisorError(`archive file ${file} does not exist; give --new to start the first archive of this PBX`);
  const r = verifyArchive(file);
  const fatal = r.problems.filter((p) => !(p.line === 0 && r.tornBytes > 0));
  if (fatal.length || !r.header || !r.tail) {
    throw new RevisorError(`archive file ${file} refused: ${fatal.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join('; ')} — check it with "hicom-sim archive verify ${file}"`);
  }
  return r;
}

/**
 * Is the file the previous archive of this PBX? Its header must name the
 * PBX, and its tail must be the PBX's mark — or lie ahead of it when an
 * earlier run appended but its commit never reached the PBX: then the file
 * must contain the mark entry itself, and the entries after it are checked
 * against what the PBX hands out and skipped.
 */
function planAgainstMark(file: string, begin: ArchiveBegin, create: boolean, previous?: string): FilePlan {
  if (create) {
    if (existsSync(file)) throw new RevisorError(`${file} exists; leave out --new to continue it`);
    if (begin.mark && previous === undefined) throw new RevisorError(`the PBX has archived up to seq ${begin.mark.seq} before: continue that archive file instead of starting a new one`);
    // A new year's file: what the earlier one holds past the mark is archived there already.
    return begin.mark && previous !== undefined ? { ...planAgainstMark(previous, begin, false), header: undefined, tornBytes: 0 } : { header: undefined, ahead: [], tailSeq: 0, tornBytes: 0 };
  }
  const r = readExisting(file);
  const header = r.header!;
  const tail = r.tail!;
  if (header.systemId !== begin.systemId) throw new RevisorError(`${file} belongs to PBX ${header.systemId}, not to ${begin.systemId}`);
  const markSeq = begin.mark?.seq ?? 0;
  if (begin.mark && previous !== undefined && r.entries.every((e) => e.seq > markSeq)) {
    // This year's file starts after the mark: the mark lies in the earlier year's file.
    const before = planAgainstMark(previous, begin, false);
    return { header, ahead: [...before.ahead, ...r.entries], tailSeq: Math.max(before.tailSeq, tail.seq), tornBytes: r.tornBytes };
  }
  if (tail.seq < markSeq) throw new RevisorError(`${file} ends at seq ${tail.seq}, but the PBX archived up to ${markSeq}: it is not the latest archive of this PBX`);
  if (begin.mark) {
    const at = r.entries.find((e) => e.seq === begin.mark!.seq);
    if (!at || entryHash(at) !== begin.mark.hash) throw new RevisorError(`${file} does not hold the PBX's last archived entry ${begin.mark.seq} as archived: it is not the previous archive`);
  } else if (tail.seq > 0 && r.entries[0].seq < begin.from) {
    // Without a mark every entry the file holds must still be in the PBX.
    throw new RevisorError(`${file} holds entries from seq ${r.entries[0].seq}, but the PBX never archived: it is not this PBX's archive`);
  }
  return { header, ahead: r.entries.filter((e) => e.seq > markSeq), tailSeq: tail.seq, tornBytes: r.tornBytes };
}

/** Fetch every chunk and check it continues the range the PBX announced. */
async function fetchChunks(client: SessionClient, begin: ArchiveBegin): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  for (let i = 1; i <= begin.chunks; i++) {
    const reply = await client.run('log archive next');
    const chunk = decodeLogEntries(SessionClient.frameFrom(reply, FrameType.LogEntries));
    if (chunk.length === 0) throw new RevisorError(`chunk ${i} is empty`);
    for (const e of chunk) {
      const prev = all.at(-1)?.seq ?? begin.from - 1;
      if (e.seq <= prev || e.seq > begin.to) throw new RevisorError(`chunk ${i}: seq ${e.seq} out of order or outside ${begin.from}-${begin.to}`);
      all.push(e);
    }
  }
  if (all.length !== begin.count || all[0]?.seq !== begin.from || all.at(-1)?.seq !== begin.to) {
    throw new RevisorError(`received ${all.length} entries ${all[0]?.seq ?? '-'}-${all.at(-1)?.seq ?? '-'}, the PBX announced ${begin.count} entries ${begin.from}-${begin.to}`);
  }
  return all;
}

/** Entries the file already holds must be exactly the PBX's first ones; returns the rest. */
function skipAhead(file: string, plan: FilePlan, fetched: LogEntry[]): LogEntry[] {
  const overlap = fetched.filter((e) => e.seq <= plan.tailSeq);
  const same = overlap.length === plan.ahead.length && overlap.every((e, i) => formatEntry(e) === formatEntry(plan.ahead[i]));
  if (!same) throw new RevisorError(`${file} holds entries after the PBX's mark that differ from the PBX's: it is not this PBX's previous archive`);
  return fetched.filter((e) => e.seq > plan.tailSeq);
}

/**
 * One archiving run on a logged-in session: check the file, begin, fetch
 * all chunks, append durably, then commit. Any failure before the commit
 * aborts the run in the PBX (best effort: a broken line aborts it anyway)
 * and nothing is deleted; the file then holds at most entries the PBX
 * still has, which the next run recognises and skips.
 */
export async function archiveToFile(client: SessionClient, file: string, options: ArchiveOptions = {}): Promise<ArchiveResult> {
  if (!options.create) readExisting(file); // before anything is asked of the PBX
  const begin = parseBegin(await client.run('log archive begin'));
  try {
    const plan = planAgainstMark(file, begin, options.create ?? false, options.previous);
    if (begin.count === 0) {
      if (options.create) createArchive(file, { systemId: begin.systemId, pbxName: begin.pbxName, created: (options.now?.() ?? new Date()).toISOString() });
      return { begin, skipped: 0, appended: 0, committedSeq: undefined, note: 'nothing to archive', repairedTornBytes: 0 };
    }
    const fetched = await fetchChunks(client, begin);
    const fresh = skipAhead(file, plan, fetched);
    if (options.create) createArchive(file, { systemId: begin.systemId, pbxName: begin.pbxName, created: (options.now?.() ?? new Date()).toISOString() });
    else openArchiveForAppend(file, begin.systemId, { repairTornTail: true });
    appendEntries(file, fresh, { systemId: begin.systemId });
    await options.beforeCommit?.();
    const last = fetched[fetched.length - 1];
    const reply = await client.run(`log archive commit ${last.seq} ${entryHash(last)}`);
    return { begin, skipped: fetched.length - fresh.length, appended: fresh.length, committedSeq: last.seq, note: reply.message, repairedTornBytes: plan.tornBytes };
  } catch (err) {
    if (!client.closed) await client.command('log archive abort').catch(() => undefined);
    throw err;
  }
}

/** Turn the errors of this module and its layers into one message for the CLI. */
export function isRevisorFailure(err: unknown): err is Error {
  return err instanceof RevisorError || err instanceof SessionError || err instanceof ArchiveError || err instanceof LogEntriesError;
}
