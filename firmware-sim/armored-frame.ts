import { Parser } from 'binary-parser';
import { crc32 } from 'node:zlib';

/**
 * Binary payloads in the line-oriented session (KDS images, log entries,
 * APS images): a binary frame with length and CRC-32, carried as base64
 * lines between `BEGIN <TYPE> <frame bytes>` and `END`, so it survives
 * terminals, telnet and 7-bit paths. docs/session-protocol.md, "Frames".
 *
 *   offset size  field
 *   0      4     magic "HSF1"
 *   4      1     type (FrameType)
 *   5      1     flags (0)
 *   6      4     payload length, big-endian
 *   10     n     payload
 *   10+n   4     CRC-32 (IEEE 802.3) of bytes 0 … 9+n, big-endian
 */
export enum FrameType {
  Kds = 1,
  LogEntries = 2,
  ErrorReport = 3,
  Aps = 4,
  /** An Octopus E chip card (chip-card.ts), presented at login. */
  Card = 5,
}

export const FRAME_MAGIC = 'HSF1';
export const FRAME_HEADER = 10;
/** Upper bound for one frame; an APS image is the largest payload. */
export const FRAME_MAX_PAYLOAD = 8 * 1024 * 1024;
const BASE64_LINE = 76;

const headerParser = new Parser()
  .endianness('big')
  .string('magic', { length: 4, encoding: 'latin1' })
  .uint8('type')
  .uint8('flags')
  .uint32('length');

interface FrameHeader {
  magic: string;
  type: number;
  flags: number;
  length: number;
}

export function encodeFrame(type: FrameType, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(FRAME_HEADER + payload.length + 4);
  out.write(FRAME_MAGIC, 0, 'latin1');
  out.writeUInt8(type, 4);
  out.writeUInt8(0, 5);
  out.writeUInt32BE(payload.length, 6);
  out.set(payload, FRAME_HEADER);
  out.writeUInt32BE(crc32(out.subarray(0, FRAME_HEADER + payload.length)), FRAME_HEADER + payload.length);
  return out;
}

export type Decoded = { ok: true; type: FrameType; payload: Buffer } | { ok: false; error: string };

export function decodeFrame(frame: Buffer): Decoded {
  if (frame.length < FRAME_HEADER + 4) return { ok: false, error: `frame truncated: ${frame.length} bytes` };
  const header = headerParser.parse(frame) as FrameHeader;
  if (header.magic !== FRAME_MAGIC) return { ok: false, error: 'not a frame (bad magic)' };
  if (!(header.type in FrameType)) return { ok: false, error: `unknown frame type ${header.type}` };
  if (header.length > FRAME_MAX_PAYLOAD) return { ok: false, error: `frame too large: ${header.length} bytes` };
  const total = FRAME_HEADER + header.length + 4;
  if (frame.length !== total) return { ok: false, error: `frame length mismatch: header says ${total} bytes, got ${frame.length}` };
  const expected = frame.readUInt32BE(FRAME_HEADER + header.length);
  if (crc32(frame.subarray(0, FRAME_HEADER + header.length)) !== expected) return { ok: false, error: 'frame CRC mismatch' };
  return { ok: true, type: header.type as FrameType, payload: frame.subarray(FRAME_HEADER, FRAME_HEADER + header.length) };
}

/** The lines that carry a frame in a session. */
export function armorFrame(type: FrameType, payload: Uint8Array): string[] {
  const frame = encodeFrame(type, payload);
  const b64 = frame.toString('base64');
  const lines = [`BEGIN ${FrameType[type].toUpperCase()} ${frame.length}`];
  for (let i = 0; i < b64.length; i += BASE64_LINE) lines.push(b64.slice(i, i + BASE64_LINE));
  lines.push('END');
  return lines;
}

/**
 * Collects armored lines after a BEGIN line. `push` returns undefined while
 * more lines are expected, then the decoded frame or an error.
 */
export class ArmorReader {
  readonly expectedType: string;
  readonly expectedBytes: number;
  #chunks: string[] = [];
  #chars = 0;

  private constructor(type: string, bytes: number) {
    this.expectedType = type;
    this.expectedBytes = bytes;
  }

  /** Parse a `BEGIN <TYPE> <bytes>` line; an error text if it is not one. */
  static begin(line: string): ArmorReader | string {
    const m = /^BEGIN\s+([A-Z]+)\s+(\d{1,9})\s*$/i.exec(line.trim());
    if (!m) return 'expected "BEGIN <TYPE> <bytes>"';
    const bytes = Number(m[2]);
    if (bytes > FRAME_MAX_PAYLOAD + FRAME_HEADER + 4) return `frame too large: ${bytes} bytes`;
    return new ArmorReader(m[1].toUpperCase(), bytes);
  }

  push(line: string): Decoded | undefined {
    const t = line.trim();
    if (t.toUpperCase() === 'END') {
      const frame = Buffer.from(this.#chunks.join(''), 'base64');
      if (frame.length !== this.expectedBytes) return { ok: false, error: `frame truncated: BEGIN announced ${this.expectedBytes} bytes, got ${frame.length}` };
      const decoded = decodeFrame(frame);
      if (decoded.ok && FrameType[decoded.type].toUpperCase() !== this.expectedType) {
        return { ok: false, error: `frame type ${FrameType[decoded.type]} does not match BEGIN ${this.expectedType}` };
      }
      return decoded;
    }
    if (!/^[A-Za-z0-9+/=]*$/.test(t)) return { ok: false, error: 'frame line is not base64' };
    this.#chars += t.length;
    if (this.#chars > Math.ceil(this.expectedBytes / 3) * 4 + 4) return { ok: false, error: 'frame longer than announced' };
    this.#chunks.push(t);
    return undefined;
  }
}
