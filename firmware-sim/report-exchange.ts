import { REPORT_FORMAT_VERSION, isValidSystemId } from './error-report.js';

/**
 * The text lines of the error-report exchange on the modem data connection
 * (`docs/error-report.md`, "Exchange"), shared by the PBX's signaling
 * scheduler and the centre receiver. Lines are ASCII ended by CR LF; the
 * binary report travels between them in a frame (`report-frame.ts`).
 *
 *   PBX                                   centre (auto-answer)
 *    |---- HELLO HCER/1 <system id> ------->|
 *    |<--- READY ---------------------------|   (or NAK <reason>, then hang-up)
 *    |---- frame(report) ------------------>|
 *    |<--- ACK <seq> -----------------------|   stored durably before ACK
 *    |     PBX deletes the sent records, hangs up
 *
 * On `NAK CRC` or `NAK TIMEOUT` the PBX sends the same frame again, up to
 * MAX_FRAME_TRIES in one call. Without an ACK nothing is deleted in the PBX.
 */

export const HELLO_PREFIX = 'HELLO';
/** Protocol name and version in the HELLO line; the version is the report format version. */
export const PROTOCOL_TAG = `HCER/${REPORT_FORMAT_VERSION}`;

/** Reasons a centre may give in `NAK <reason>`. */
export enum NakReason {
  /** Frame CRC failed in transit: PBX re-sends the frame. */
  Crc = 'CRC',
  /** No complete frame within the centre's frame timeout: PBX re-sends. */
  Timeout = 'TIMEOUT',
  /** Frame arrived whole, but the report inside is invalid (magic, CRC, fields). */
  Format = 'FORMAT',
  /** HELLO named a protocol version the centre does not read. */
  Version = 'VERSION',
  /** HELLO line malformed, or the report's system id differs from HELLO's. */
  SystemId = 'SYSID',
  /** The centre could not store the report (disk): PBX retries at its next interval. */
  Store = 'STORE',
}

/** Reasons after which re-sending the same frame in the same call can help. */
export const RESEND_REASONS: ReadonlySet<NakReason> = new Set([NakReason.Crc, NakReason.Timeout]);
/** Frames sent per call at most (the first plus two repeats). */
export const MAX_FRAME_TRIES = 3;

/**
 * Timers of the exchange. The slowest link is V.22bis at 2400 bit/s, about
 * 240 bytes/s with start and stop bits (ITU-T V.22 bis), so waiting for a
 * frame scales with its size.
 */
export const SLOWEST_LINK_BYTES_PER_S = 240;
/** Centre: CONNECT until HELLO. */
export const HELLO_TIMEOUT_MS = 20_000;
/** PBX: HELLO sent until READY. */
export const READY_TIMEOUT_MS = 10_000;
/** Centre: READY sent (or last byte of a partial frame) until more bytes, else `NAK TIMEOUT`. */
export const FRAME_IDLE_TIMEOUT_MS = 10_000;
/** Centre: after its final ACK or NAK, hang up itself if the PBX has not within this time. */
export const LINGER_AFTER_FINAL_MS = 5_000;
/** PBX: frame handed to the modem until ACK/NAK: margin plus the frame's time on the slowest link. */
export function ackTimeoutMs(frameBytes: number): number {
  return 30_000 + Math.ceil((frameBytes * 1000) / SLOWEST_LINK_BYTES_PER_S);
}

export type ExchangeMessage =
  | { type: 'hello'; protocol: string; systemId: string }
  | { type: 'ready' }
  | { type: 'ack'; seq: number }
  | { type: 'nak'; reason: string }
  | { type: 'unknown'; text: string };

export function helloLine(systemId: string): string {
  return `${HELLO_PREFIX} ${PROTOCOL_TAG} ${systemId}\r\n`;
}

export const READY_LINE = 'READY\r\n';

export function ackLine(seq: number): string {
  return `ACK ${seq}\r\n`;
}

export function nakLine(reason: NakReason): string {
  return `NAK ${reason}\r\n`;
}

/**
 * Parse one line (without its CR LF, as `FrameDecoder` yields it). Unknown
 * or malformed lines come back as `unknown`, never as an exception: they
 * arrive from a noisy line and the caller decides what to ignore.
 */
export function parseExchangeLine(line: string): ExchangeMessage {
  const text = line.trim();
  const words = text.split(/ +/);
  const [head] = words;
  if (head === HELLO_PREFIX && words.length === 3 && /^HCER\/\d+$/.test(words[1]) && isValidSystemId(words[2])) {
    return { type: 'hello', protocol: words[1], systemId: words[2] };
  }
  if (text === 'READY') return { type: 'ready' };
  if (head === 'ACK' && words.length === 2 && /^\d{1,10}$/.test(words[1]) && Number(words[1]) <= 0xffff_ffff) {
    return { type: 'ack', seq: Number(words[1]) };
  }
  if (head === 'NAK' && words.length === 2 && /^[A-Z]+$/.test(words[1])) return { type: 'nak', reason: words[1] };
  return { type: 'unknown', text };
}
