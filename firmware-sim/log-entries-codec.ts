import { Parser } from 'binary-parser';
import type { FormatId, LogEntry } from './protocol-log.js';

/**
 * Payload of a FrameType.LogEntries frame (`log fetch`, `log archive next`):
 * docs/session-protocol.md, "Protocol log: fetch and archive".
 *
 *   offset size  field
 *   0      1     version (LOG_ENTRIES_VERSION)
 *   1      4     entry count n, big-endian
 *   5      …     n entries, each:
 *                  4  seq, big-endian
 *                  8  time, ms since 1970-01-01 UTC, big-endian
 *                  1  format id 1…8
 *                  1  circle letter (ASCII, '-' for none)
 *                  1  user length u, then u bytes UTF-8
 *                  2  command length c (big-endian), then c bytes UTF-8
 *
 * The frame around it carries length and CRC-32; this layer only adds
 * what makes the entries self-describing.
 */
export const LOG_ENTRIES_VERSION = 1;
const MAX_USER_BYTES = 0xff;
const MAX_COMMAND_BYTES = 0xffff;

const entryParser = new Parser()
  .endianness('big')
  .uint32('seq')
  .uint64('time')
  .uint8('format')
  .string('circle', { length: 1, encoding: 'latin1' })
  .uint8('userLength')
  .string('user', { length: 'userLength', encoding: 'utf8' })
  .uint16('commandLength')
  .string('command', { length: 'commandLength', encoding: 'utf8' });

const payloadParser = new Parser()
  .endianness('big')
  .uint8('version')
  .uint32('count')
  .array('entries', { type: entryParser, length: 'count' });

interface ParsedEntry {
  seq: number;
  time: bigint;
  format: number;
  circle: string;
  user: string;
  command: string;
}

export class LogEntriesError extends Error {
  override name = 'LogEntriesError';
}

export function encodeLogEntries(entries: readonly LogEntry[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(5);
  head.writeUInt8(LOG_ENTRIES_VERSION, 0);
  head.writeUInt32BE(entries.length, 1);
  parts.push(head);
  for (const e of entries) {
    const user = Buffer.from(e.user, 'utf8');
    const command = Buffer.from(e.command, 'utf8');
    if (user.length > MAX_USER_BYTES) throw new LogEntriesError(`entry ${e.seq}: user name of ${user.length} bytes`);
    if (command.length > MAX_COMMAND_BYTES) throw new LogEntriesError(`entry ${e.seq}: command of ${command.length} bytes`);
    const fixed = Buffer.alloc(15);
    fixed.writeUInt32BE(e.seq, 0);
    fixed.writeBigUInt64BE(BigInt(e.time), 4);
    fixed.writeUInt8(e.format, 12);
    fixed.write(e.circle.slice(0, 1) || '-', 13, 'latin1');
    fixed.writeUInt8(user.length, 14);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(command.length, 0);
    parts.push(fixed, user, len, command);
  }
  return Buffer.concat(parts);
}

/** Read a LogEntries payload; a LogEntriesError for anything malformed (never a crash). */
export function decodeLogEntries(payload: Buffer): LogEntry[] {
  if (payload.length < 5) throw new LogEntriesError(`log entries payload truncated: ${payload.length} bytes`);
  if (payload[0] !== LOG_ENTRIES_VERSION) throw new LogEntriesError(`log entries version ${payload[0]} unknown (expected ${LOG_ENTRIES_VERSION})`);
  let parsed: { entries: ParsedEntry[] };
  try {
    parsed = payloadParser.parse(payload) as { entries: ParsedEntry[] };
  } catch (err) {
    throw new LogEntriesError(`log entries payload truncated or malformed: ${(err as Error).message}`);
  }
  const entries = parsed.entries.map((p): LogEntry => {
    if (p.format < 1 || p.format > 8) throw new LogEntriesError(`entry ${p.seq}: format id ${p.format} is not 1…8`);
    return { seq: p.seq, time: Number(p.time), user: p.user, circle: p.circle, format: p.format as FormatId, command: p.command };
  });
  // binary-parser stops after `count` entries; bytes left over mean a bad count.
  if (encodeLogEntries(entries).length !== payload.length) throw new LogEntriesError('log entries payload has bytes after the last entry');
  return entries;
}
