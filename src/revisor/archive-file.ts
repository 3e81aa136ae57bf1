/**
 * The revisor's `.arc` archive (spec §3.8): plain text, one entry per line
 * in the printout style of `formatEntry`, each line closed by a SHA-256
 * hash chain value so any later edit, deletion or reordering is detected.
 * docs/archive-format.md is the reference for the format.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { entryHash, formatEntry, type ArchiveMark, type FormatId, type LogEntry } from '../../firmware-sim/protocol-log.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { ioReason } from '../io-reason.js';

/** Format 2 adds the seal line; format 1 files (no seal) are still read, and sealed at their next append. */
export const ARCHIVE_FORMAT_VERSION = 2;
const magicLine = (format: number): string => `# hicom-sim protocol archive, format ${format}`;
const MAGIC = /^# hicom-sim protocol archive, format ([12])$/;
const CHAIN_NOTE = '# chain: sha256 over the header and every entry line; the hex after " #" ends each line';
/** The seal: where the archive ends, rewritten with every append, so a cut at a line boundary shows. */
const SEAL = /^# sealed: (\d+) entries up to seq (\d+), chain ([0-9a-f]{64})$/;
/** The chain's start value names format 1 in every format: the seal is outside the chain. */
const CHAIN_FORMAT = 1;
/** Plain text anyone may read and print offline (spec §3.8). */
const ARCHIVE_FILE_MODE = 0o644;
const ENTRY_LINE = /^(.*) #([0-9a-f]{64})$/;
const ENTRY_TEXT = /^(\d{6,}) (\d\d)\.(\d\d)\.(\d{4}) (\d\d):(\d\d):(\d\d) (.+?) +(\S) \(([1-8])\) (.*)$/;

export interface ArchiveHeader {
  /** The PBX's system id: an archive belongs to exactly one PBX. */
  systemId: string;
  /** Customer / PBX name as shown to the revisor. */
  pbxName: string;
  /** ISO-8601 time the archive was created. */
  created: string;
}

/** Where an archive ends: what the PBX's ArchiveMark must match before archiving continues. */
export interface ArchiveTail {
  header: ArchiveHeader;
  /** Last archived seq, 0 for an archive without entries. */
  seq: number;
  /** Chain value after the last line (or after the header). */
  chain: string;
  /** `{ seq, hash }` in the PBX's ArchiveMark form; undefined for an empty archive. */
  mark: ArchiveMark | undefined;
  entries: number;
  /** 1 for an archive from before the seal, else ARCHIVE_FORMAT_VERSION. */
  format: number;
}

export interface ArchiveProblem {
  /** 1-based line number, 0 for the file as a whole. */
  line: number;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  header: ArchiveHeader | undefined;
  entries: LogEntry[];
  problems: ArchiveProblem[];
  /** Bytes after the last complete line (an interrupted append); 0 normally. */
  tornBytes: number;
  tail: ArchiveTail | undefined;
}

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export { entryHash };

function headerChain(h: ArchiveHeader): string {
  return createHash('sha256').update(`hicom-sim archive ${CHAIN_FORMAT}\n${h.systemId}\n${h.pbxName}\n${h.created}`).digest('hex');
}

function nextChain(prev: string, line: string): string {
  return createHash('sha256').update(`${prev}\n${line}`).digest('hex');
}

function headerText(h: ArchiveHeader, seal: { entries: number; seq: number; chain: string }): string {
  return `${magicLine(ARCHIVE_FORMAT_VERSION)}\n# system-id: ${h.systemId}\n# pbx: ${h.pbxName}\n# created: ${h.created}\n` +
    `# sealed: ${seal.entries} entries up to seq ${seal.seq}, chain ${seal.chain}\n${CHAIN_NOTE}\n`;
}

/** Parse the canonical printout line back into an entry (times are whole seconds, UTC). */
export function parseEntryLine(text: string): LogEntry | undefined {
  const m = ENTRY_TEXT.exec(text);
  if (!m) return undefined;
  const time = Date.UTC(Number(m[4]), Number(m[3]) - 1, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  const e: LogEntry = { seq: Number(m[1]), time, user: m[8], circle: m[9], format: Number(m[10]) as FormatId, command: m[11] };
  return formatEntry(e) === text ? e : undefined;
}

function checkHeaderField(name: string, value: string): void {
  if (value.length === 0 || /[\r\n]/.test(value)) throw new ArchiveError(`archive ${name} must be one non-empty line`);
}

/**
 * Read and check a whole archive: header, every line's syntax, increasing
 * seqs, and the hash chain. Never throws for content problems; they are listed.
 */
export function verifyArchive(path: string, options: { systemId?: string } = {}): VerifyResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ArchiveError(`cannot read archive ${path}: ${ioReason(err)}`);
  }
  const problems: ArchiveProblem[] = [];
  const entries: LogEntry[] = [];
  const lastNl = text.lastIndexOf('\n');
  const tornBytes = Buffer.byteLength(text.slice(lastNl + 1));
  const lines = text.slice(0, lastNl + 1).split('\n').slice(0, -1);
  const format = Number(MAGIC.exec(lines[0] ?? '')?.[1] ?? 0);
  const field = (i: number, key: string): string | undefined => (lines[i]?.startsWith(`# ${key}: `) ? lines[i].slice(key.length + 4) : undefined);
  const systemId = field(1, 'system-id');
  const pbxName = field(2, 'pbx');
  const created = field(3, 'created');
  const seal = format === 2 ? SEAL.exec(lines[4] ?? '') : undefined;
  const first = format === 2 ? 6 : 5;
  if (!format || systemId === undefined || pbxName === undefined || created === undefined || seal === null || lines[first - 1] !== CHAIN_NOTE) {
    // Checked first: a binary file or another format has no "line" to be incomplete.
    problems.push({ line: 1, message: 'not a hicom-sim protocol archive (header missing or damaged)' });
    return { ok: false, header: undefined, entries, problems, tornBytes, tail: undefined };
  }
  if (tornBytes > 0) problems.push({ line: 0, message: `file ends with ${tornBytes} bytes of an incomplete line (interrupted append)` });
  const header: ArchiveHeader = { systemId, pbxName, created };
  if (options.systemId !== undefined && options.systemId !== systemId) {
    problems.push({ line: 2, message: `archive belongs to system ${systemId}, not ${options.systemId}` });
  }
  let chain = headerChain(header);
  let lastSeq = 0;
  let lastLine = '';
  for (let i = first; i < lines.length; i++) {
    const m = ENTRY_LINE.exec(lines[i]);
    const e = m ? parseEntryLine(m[1]) : undefined;
    if (!m || !e) {
      problems.push({ line: i + 1, message: 'not an archive entry line' });
      continue;
    }
    chain = nextChain(chain, m[1]);
    if (m[2] !== chain) {
      problems.push({ line: i + 1, message: `hash chain broken at seq ${e.seq}: this or an earlier line was edited, removed or moved` });
      chain = m[2]; // resynchronise, so one edit is reported once
    }
    if (e.seq <= lastSeq) problems.push({ line: i + 1, message: `seq ${e.seq} does not follow ${lastSeq}` });
    lastSeq = Math.max(lastSeq, e.seq);
    lastLine = m[1];
    entries.push(e);
  }
  const last = entries.at(-1);
  if (seal && (Number(seal[2]) !== (last?.seq ?? 0) || seal[3] !== chain)) {
    // Seq and chain, not the count: a line removed in the middle is already a broken chain.
    problems.push({
      line: 5,
      message: `archive was cut or its end changed: the seal says ${seal[1]} entries up to seq ${seal[2]}, the file has ${entries.length} up to seq ${last?.seq ?? 0}`,
    });
  }
  const tail: ArchiveTail = {
    header, seq: last?.seq ?? 0, chain, entries: entries.length, format,
    mark: last ? { seq: last.seq, hash: createHash('sha256').update(lastLine).digest('hex') } : undefined,
  };
  return { ok: problems.length === 0, header, entries, problems, tornBytes, tail };
}

function syncDir(path: string): void {
  const fd = openSync(dirname(path), constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Create a new, empty archive for a PBX; refuses to overwrite an existing file. */
export function createArchive(path: string, header: ArchiveHeader): ArchiveTail {
  checkHeaderField('system id', header.systemId);
  checkHeaderField('PBX name', header.pbxName);
  checkHeaderField('creation time', header.created);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, ARCHIVE_FILE_MODE);
  } catch (err) {
    throw new ArchiveError(`cannot create archive ${path}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'file exists' : (err as Error).message}`);
  }
  try {
    writeSync(fd, headerText(header, { entries: 0, seq: 0, chain: headerChain(header) }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(path);
  return { header, seq: 0, chain: headerChain(header), mark: undefined, entries: 0, format: ARCHIVE_FORMAT_VERSION };
}

/**
 * Open an existing archive for the next archiving run: it must be intact and
 * belong to `systemId`. Returns its tail, to compare with the PBX's
 * ArchiveMark before anything is fetched. An incomplete last line (append
 * interrupted before it was confirmed to the PBX, so its entries are still
 * in the PBX) is cut off when `repairTornTail` is set, else refused.
 */
export function openArchiveForAppend(path: string, systemId: string, options: { repairTornTail?: boolean } = {}): ArchiveTail {
  return intactTail(path, systemId, options.repairTornTail ?? false);
}

function intactTail(path: string, systemId: string | undefined, repairTornTail: boolean): ArchiveTail {
  const r = verifyArchive(path, { systemId });
  const fatal = r.problems.filter((p) => !(p.line === 0 && r.tornBytes > 0));
  if (fatal.length > 0 || !r.tail) {
    throw new ArchiveError(`archive ${path} refused: ${fatal.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join('; ')}`);
  }
  if (r.tornBytes > 0) {
    if (!repairTornTail) throw new ArchiveError(`archive ${path} ends with an incomplete line (${r.tornBytes} bytes) from an interrupted append; repair it to continue`);
    const fd = openSync(path, 'r+');
    try {
      const size = Buffer.byteLength(readFileSync(path, 'utf8'));
      ftruncateSync(fd, size - r.tornBytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return r.tail;
}

/**
 * Append entries after the archive's tail, durably: the file is replaced
 * atomically (temp file, fsync, rename, fsync of the directory) by itself
 * plus the new lines under a new seal, so a crash leaves the old archive or
 * the new one, never a half. The entries must continue the archive (seqs
 * increasing past its last seq). A format 1 archive is sealed on the way.
 */
export function appendEntries(path: string, entries: readonly LogEntry[], options: { systemId?: string } = {}): ArchiveTail {
  const tail = intactTail(path, options.systemId, false);
  let chain = tail.chain;
  let seq = tail.seq;
  let out = '';
  for (const e of entries) {
    if (!Number.isInteger(e.seq) || e.seq <= seq) throw new ArchiveError(`entry seq ${e.seq} does not continue the archive (last ${seq})`);
    const line = formatEntry(e);
    if (/[\r\n]/.test(line) || parseEntryLine(line) === undefined) throw new ArchiveError(`entry ${e.seq} cannot be written as one archive line`);
    chain = nextChain(chain, line);
    out += `${line} #${chain}\n`;
    seq = e.seq;
  }
  if (entries.length === 0) return tail;
  const count = tail.entries + entries.length;
  const lines = readFileSync(path, 'utf8').split('\n');
  const body = lines.slice(tail.format === 1 ? 5 : 6).join('\n');
  try {
    writeFileAtomic(path, headerText(tail.header, { entries: count, seq, chain }) + body + out, ARCHIVE_FILE_MODE);
  } catch (err) {
    throw new ArchiveError(`cannot append to archive ${path}: ${ioReason(err)}`);
  }
  const last = entries[entries.length - 1];
  return { header: tail.header, seq, chain, mark: { seq, hash: entryHash(last) }, entries: count, format: ARCHIVE_FORMAT_VERSION };
}
