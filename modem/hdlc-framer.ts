import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { FCS16_GOOD_RESIDUE, FCS16_INIT, fcs16, fcs16Update } from './fcs16.js';

/** Frame delimiter (ISO/IEC 13239 §4.1; X.25 §2.2.1): 0111 1110. */
export const HDLC_FLAG = 0x7e;
/** Control escape octet (ISO/IEC 13239 §4.5.2 octet-synchronous transparency; RFC 1662 §4.2). */
export const HDLC_ESCAPE = 0x7d;
/** An escaped octet travels as `octet ^ HDLC_ESCAPE_XOR` after HDLC_ESCAPE. */
export const HDLC_ESCAPE_XOR = 0x20;
/** Octets of FCS after the frame content (X.25 §2.2.7: 16-bit FCS). */
export const FCS_OCTETS = 2;
/** Shortest valid frame content: address + control (ISO 7776 §3.1: a frame has at least 32 bits between flags). */
export const MIN_FRAME_CONTENT = 2;
/** Default bound on frame content so a missing flag on a noisy line cannot grow a buffer without end. */
export const DEFAULT_MAX_FRAME_CONTENT = 4096 + 2;

/** Why a received frame was discarded (X.25 §2.3.5.3: invalid frames are discarded without action). */
export type FrameErrorKind = 'fcs' | 'too-short' | 'too-long' | 'abort';

export interface HdlcFramerOptions {
  /** Largest frame content (address + control + information, without FCS) accepted. */
  maxFrameContent?: number;
}

export interface HdlcFramerStats {
  framesOk: number;
  fcsErrors: number;
  tooShort: number;
  tooLong: number;
  aborts: number;
}

/**
 * Receiver states.
 *
 * ```
 *             flag                 HDLC_ESCAPE
 *   Hunting ────────▶ InFrame ─────────────────▶ Escaped
 *                      ▲  │ flag: frame closed,   │ next octet (XOR 0x20), or a flag:
 *                      │  └ the next one opens     │ the frame is aborted
 *                      └───────────────────────────┘
 * ```
 */
enum RxState {
  /** Nothing received yet: octets before the first flag are line noise. */
  Hunting = 'hunting',
  InFrame = 'in-frame',
  /** HDLC_ESCAPE received: the next octet is transparent. */
  Escaped = 'escaped',
}

/** The moves of the diagram above; any other is a bug and throws. */
const RX_MOVES: TransitionTable<RxState> = {
  [RxState.Hunting]: [RxState.InFrame],
  [RxState.InFrame]: [RxState.Escaped],
  [RxState.Escaped]: [RxState.InFrame],
};

/**
 * HDLC framing for a byte pipe.
 *
 * Real X.75 on an ISDN B channel is bit-synchronous and keeps the flag
 * unique by zero-bit insertion. Our network carries octets, not bits, so
 * bit stuffing would have nothing to act on; we use the octet-synchronous
 * transparency of ISO/IEC 13239 instead (the one PPP uses, RFC 1662): the
 * flag 0x7E and the escape 0x7D inside a frame travel as 0x7D followed by the
 * octet XOR 0x20. Nothing else is escaped: the pipe is 8-bit clean.
 * 0x7D immediately followed by a flag aborts the frame (ISO/IEC 13239 §4.6).
 *
 * Wire form of a frame: FLAG, stuffed(content, FCS low, FCS high), FLAG.
 * Both flags are sent so a receiver resynchronises after line noise at the
 * first octet of the next frame.
 *
 * Receiving is incremental: `push()` takes bytes split anywhere; every frame
 * whose FCS checks out goes to the frame listener without its FCS; damaged
 * ones are counted and reported to the error listener, never thrown.
 */
export class HdlcFramer {
  readonly #buffer: Uint8Array;
  #length = 0;
  readonly #rx = new StateMachine('HDLC receiver', RX_MOVES, RxState.Hunting);
  #overflow = false;
  #frameListeners: Array<(frame: Uint8Array) => void> = [];
  #errorListeners: Array<(kind: FrameErrorKind) => void> = [];
  readonly stats: HdlcFramerStats = { framesOk: 0, fcsErrors: 0, tooShort: 0, tooLong: 0, aborts: 0 };

  constructor(options: HdlcFramerOptions = {}) {
    const max = options.maxFrameContent ?? DEFAULT_MAX_FRAME_CONTENT;
    if (!Number.isInteger(max) || max < MIN_FRAME_CONTENT) {
      throw new RangeError(`maxFrameContent must be an integer >= ${MIN_FRAME_CONTENT}, got ${max}`);
    }
    this.#buffer = new Uint8Array(max + FCS_OCTETS);
  }

  /** Wire bytes for one frame; `content` is address + control + information. */
  encode(content: Uint8Array): Uint8Array {
    const fcs = fcs16(content);
    const out = new Uint8Array(2 * (content.length + FCS_OCTETS) + 2);
    let n = 0;
    out[n++] = HDLC_FLAG;
    const put = (b: number): void => {
      if (b === HDLC_FLAG || b === HDLC_ESCAPE) {
        out[n++] = HDLC_ESCAPE;
        out[n++] = b ^ HDLC_ESCAPE_XOR;
      } else {
        out[n++] = b;
      }
    };
    for (let i = 0; i < content.length; i++) put(content[i]);
    put(fcs & 0xff);
    put(fcs >>> 8);
    out[n++] = HDLC_FLAG;
    return out.subarray(0, n);
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.#frameListeners.push(listener);
  }

  onError(listener: (kind: FrameErrorKind) => void): void {
    this.#errorListeners.push(listener);
  }

  /** Feed received wire bytes, split at any boundary. */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === HDLC_FLAG) {
        this.#closeFrame();
        continue;
      }
      if (this.#rx.state === RxState.Hunting) continue;
      let octet = b;
      if (this.#rx.state === RxState.Escaped) {
        octet = b ^ HDLC_ESCAPE_XOR;
        this.#rx.transition(RxState.InFrame);
      } else if (b === HDLC_ESCAPE) {
        this.#rx.transition(RxState.Escaped);
        continue;
      }
      if (this.#length < this.#buffer.length) this.#buffer[this.#length++] = octet;
      else this.#overflow = true;
    }
  }

  #closeFrame(): void {
    const wasHunting = this.#rx.state === RxState.Hunting;
    const aborted = this.#rx.state === RxState.Escaped;
    const length = this.#length;
    const overflow = this.#overflow;
    // A flag closes one frame and opens the next.
    if (this.#rx.state !== RxState.InFrame) this.#rx.transition(RxState.InFrame);
    this.#overflow = false;
    this.#length = 0;
    if (wasHunting) return;
    if (aborted) return this.#error('abort');
    if (length === 0) return; // back-to-back flags are inter-frame fill
    if (overflow) return this.#error('too-long');
    if (length < MIN_FRAME_CONTENT + FCS_OCTETS) return this.#error('too-short');
    if (fcs16Update(FCS16_INIT, this.#buffer, 0, length) !== FCS16_GOOD_RESIDUE) return this.#error('fcs');
    this.stats.framesOk++;
    const frame = this.#buffer.slice(0, length - FCS_OCTETS);
    for (const l of this.#frameListeners) l(frame);
  }

  #error(kind: FrameErrorKind): void {
    if (kind === 'fcs') this.stats.fcsErrors++;
    else if (kind === 'too-short') this.stats.tooShort++;
    else if (kind === 'too-long') this.stats.tooLong++;
    else this.stats.aborts++;
    for (const l of this.#errorListeners) l(kind);
  }
}
