import { crc32 } from 'node:zlib';
import { MAX_REPORT_BYTES } from './error-report.js';

/**
 * How a binary error report travels on the modem data connection between
 * PBX and centre (`docs/error-report.md`, "Frame"). The same stream also
 * carries the short text lines of the exchange (HELLO, READY, ACK, NAK), so
 * the decoder yields both, and whatever else the line delivered as garbage.
 *
 * Frame layout, big-endian:
 *
 *   STX "HCF" | length u32 | ~length u32 | payload (length bytes) | CRC-32 u32
 *
 * The marker starts with STX (0x02) so it can never occur inside a text
 * line; the inverted length lets a receiver tell a real frame start from a
 * marker in line noise before it commits to waiting for `length` bytes; the
 * CRC (over marker, both lengths and payload) catches damage in transit.
 */

/** STX (ASCII 0x02, "start of text") + "HCF". */
export const FRAME_MARKER = Buffer.from('\x02HCF', 'latin1');
export const FRAME_HEADER_BYTES = 12;
export const FRAME_CRC_BYTES = 4;
export const MAX_FRAME_PAYLOAD = MAX_REPORT_BYTES;
/** Longest text line of the exchange; anything longer is garbage. */
export const MAX_LINE_BYTES = 80;

export type FrameEvent =
  | { kind: 'line'; text: string }
  | { kind: 'frame'; payload: Buffer }
  /** A frame whose header was sound but whose CRC failed: answer `NAK CRC`. */
  | { kind: 'bad-frame'; length: number }
  /** Bytes that are neither a line nor a frame (line noise, modem chatter). */
  | { kind: 'garbage'; bytes: Buffer };

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new RangeError(`frame payload ${payload.length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  // Every byte is written below, so the buffer need not be zeroed: a small one then comes from
  // Node's pool rather than being an ArrayBuffer of its own (a fleet frames a report per call).
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length + FRAME_CRC_BYTES);
  FRAME_MARKER.copy(out, 0);
  out.writeUInt32BE(payload.length, 4);
  out.writeUInt32BE(~payload.length >>> 0, 8);
  out.set(payload, FRAME_HEADER_BYTES);
  const end = FRAME_HEADER_BYTES + payload.length;
  out.writeUInt32BE(crc32(out.subarray(0, end)), end);
  return out;
}

/** What a push that completes nothing returns: frozen, so no caller can fill it for the next. */
const NO_EVENTS: readonly FrameEvent[] = Object.freeze([]);

const LF = 0x0a;
const CR = 0x0d;

function isLineByte(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

/** Where a frame starts in the buffer; `size` is absent while its header is incomplete. */
interface FrameStart {
  at: number;
  size?: number;
}

/**
 * Streaming decoder for both directions of the exchange. Feed it bytes as
 * they arrive, split anywhere; it returns the complete events so far and
 * keeps the rest. A line is a run of at most MAX_LINE_BYTES printable ASCII
 * bytes ended by LF (a CR before the LF is dropped); bytes before such a run,
 * and runs that are too long, are garbage. The buffer grows in place, so a
 * large frame arriving a byte at a time costs O(n), not O(n²).
 */
export class FrameDecoder {
  /**
   * Only the first `#len` bytes are ever read, so it need not be zeroed: from
   * Node's pool, not an ArrayBuffer per decoder (a fleet makes one per call).
   */
  #data = Buffer.allocUnsafe(256);
  #len = 0;
  /** Size of the verified-header frame that starts at offset 0 and is still arriving, else 0. */
  #awaiting = 0;
  /** Inside a printable run already too long to be a line: garbage until the next LF. */
  #overlong = false;

  /** Bytes held back waiting for the rest of a line or frame. */
  get buffered(): number {
    return this.#len;
  }

  /** Forget a partial frame or line (after a line break). */
  reset(): void {
    this.#len = 0;
    this.#awaiting = 0;
    this.#overlong = false;
  }

  /** The events the bytes so far complete; a chunk that completes none (most of a frame's body) gets a shared empty list. */
  push(chunk: Uint8Array): readonly FrameEvent[] {
    this.#append(chunk);
    if (this.#awaiting && this.#len < this.#awaiting) return NO_EVENTS;
    const events: FrameEvent[] = [];
    const buf = this.#data.subarray(0, this.#len);
    let pos = 0;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      const start = findFrame(buf, pos, lf === -1 ? buf.length : lf);
      if (start) {
        if (start.size === undefined) break; // wait for the rest of the header; the text before it may still be a line
        if (start.at > pos) this.#garbage(buf.subarray(pos, start.at), events);
        this.#overlong = false;
        pos = start.at;
        if (buf.length - pos < start.size) {
          this.#awaiting = start.size;
          break;
        }
        this.#awaiting = 0;
        events.push(frameEvent(buf.subarray(pos, pos + start.size)));
        pos += start.size;
      } else if (lf !== -1) {
        this.#line(buf.subarray(pos, lf + 1), events);
        pos = lf + 1;
      } else {
        pos = this.#holdPartialLine(buf, pos, events);
        break;
      }
    }
    this.#consume(pos);
    return events;
  }

  /** A text segment ending in LF. */
  #line(segment: Buffer, events: FrameEvent[]): void {
    if (this.#overlong) {
      this.#overlong = false;
      this.#garbage(segment, events);
      return;
    }
    let end = segment.length - 1;
    if (end > 0 && segment[end - 1] === CR) end--;
    let start = end;
    while (start > 0 && isLineByte(segment[start - 1])) start--;
    if (end - start > MAX_LINE_BYTES) {
      this.#garbage(segment, events);
      return;
    }
    if (start > 0) this.#garbage(segment.subarray(0, start), events);
    events.push({ kind: 'line', text: segment.subarray(start, end).toString('latin1') });
  }

  /**
   * No LF and no frame yet: keep the trailing printable run (it may become a
   * line or hold the start of a marker), give up the rest as garbage so that
   * noise cannot grow the buffer without bound.
   */
  #holdPartialLine(buf: Buffer, pos: number, events: FrameEvent[]): number {
    const marker = markerPrefixAtEnd(buf, pos);
    if (marker !== -1) {
      if (marker > pos) this.#garbage(buf.subarray(pos, marker), events);
      this.#overlong = false;
      return marker;
    }
    let start = buf.length;
    if (start > pos && buf[start - 1] === CR) start--;
    while (start > pos && isLineByte(buf[start - 1])) start--;
    if (start > pos) this.#overlong = false;
    if (this.#overlong || buf.length - start > MAX_LINE_BYTES + 1) {
      this.#overlong = true;
      start = buf.length;
    }
    if (start > pos) this.#garbage(buf.subarray(pos, start), events);
    return start;
  }

  #garbage(bytes: Buffer, events: FrameEvent[]): void {
    const last = events.at(-1);
    // Adjacent garbage is reported once, so a burst of noise is one event.
    if (last?.kind === 'garbage') last.bytes = Buffer.concat([last.bytes, bytes]);
    else events.push({ kind: 'garbage', bytes: Buffer.from(bytes) });
  }

  #append(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#data.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#data.length * 2));
      this.#data.copy(grown, 0, 0, this.#len);
      this.#data = grown;
    }
    this.#data.set(chunk, this.#len);
    this.#len = need;
  }

  #consume(n: number): void {
    if (n === 0) return;
    this.#data.copy(this.#data, 0, n, this.#len);
    this.#len -= n;
  }
}

/**
 * First frame start in `buf[from, limit)`. A marker whose inverted length
 * does not match (or whose length is absurd) is noise and skipped.
 */
function findFrame(buf: Buffer, from: number, limit: number): FrameStart | undefined {
  for (let at = buf.indexOf(FRAME_MARKER, from); at !== -1 && at < limit; at = buf.indexOf(FRAME_MARKER, at + 1)) {
    if (buf.length - at < FRAME_HEADER_BYTES) return { at };
    const length = buf.readUInt32BE(at + 4);
    if ((~length >>> 0) === buf.readUInt32BE(at + 8) && length <= MAX_FRAME_PAYLOAD) {
      return { at, size: FRAME_HEADER_BYTES + length + FRAME_CRC_BYTES };
    }
  }
  return undefined;
}

/** Start of a partial frame marker ending the buffer, or -1 (compared byte by byte: it runs on every chunk without LF). */
function markerPrefixAtEnd(buf: Buffer, from: number): number {
  for (let n = Math.min(FRAME_MARKER.length - 1, buf.length - from); n > 0; n--) {
    const at = buf.length - n;
    let k = 0;
    while (k < n && buf[at + k] === FRAME_MARKER[k]) k++;
    if (k === n) return at;
  }
  return -1;
}

/** A whole frame whose header was verified; only the CRC is left to check. */
function frameEvent(frame: Buffer): FrameEvent {
  const end = frame.length - FRAME_CRC_BYTES;
  const length = end - FRAME_HEADER_BYTES;
  // The header was sound, so the frame's extent is trusted: a bad CRC skips
  // it whole rather than reading its damaged payload as lines.
  if (crc32(frame.subarray(0, end)) !== frame.readUInt32BE(end)) return { kind: 'bad-frame', length };
  return { kind: 'frame', payload: Buffer.from(frame.subarray(FRAME_HEADER_BYTES, end)) };
}
