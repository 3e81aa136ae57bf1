import type { LineEndpoint } from './line-endpoint.js';

/**
 * The seam between the exchange and whatever hangs on a number (a Hayes
 * modem, the PBX's IMOD, a test line). Everything is synchronous callbacks on
 * the injected Clock, never Promises, so `VirtualClock.advance()` sees every
 * outcome of a call inside the advance.
 */

/**
 * What the call carries: a modem signal, a 64 kbit/s B channel (X.75), 8 kHz
 * audio, or the bytes of a TCP connection behind the network's internet
 * gateway (modem bridge mode, docs/bridge.md).
 */
export type Bearer = 'analog' | 'digital' | 'voice' | 'internet';

/**
 * What the calling side offers. `capabilities` is opaque to the exchange: the
 * answering data pump reads it (analog: `ModemCapabilities` from
 * modem/negotiation.ts; the X.75 pump defines its own).
 */
export interface CallOffer {
  bearer: Bearer;
  capabilities?: unknown;
}

/** The result of the answering side's handshake, fixed for the call's life. */
export interface LinkInfo {
  /** Line rate in bit/s as CONNECT reports it, e.g. 14400. */
  rateBps: number;
  /** User bytes per second the path carries (analog: rate/10 for start+8+stop bits). */
  bytesPerSecond: number;
  /** Text after "CONNECT ", e.g. "14400/V42BIS" or "64000/X75". */
  connectText: string;
  /** Time from answer to carrier up (training, V.42 detection). */
  handshakeMs: number;
  /** Pump-specific details (e.g. the negotiated modulation), opaque to the exchange. */
  details?: unknown;
}

/** Why a call attempt ended without a connection, as the network reports it. */
export type CallFailure =
  | 'busy' // subscriber busy, off hook (ATH1), or all modem channels busy
  | 'no-answer' // the caller's no-answer time (S7) ran out while ringing
  | 'unobtainable' // unassigned number, or a DID that was removed
  | 'unreachable' // fault injection: the number exists but the network cannot reach it
  | 'no-dialtone' // the caller's own line is out of service
  | 'handshake-failed' // answered, but the two pumps found nothing in common
  | 'cancelled'; // the caller gave up (hung up, DTR drop, key pressed)

/** Callbacks for the calling side; exactly one of `onConnect`/`onFail` fires, then at most one `onRelease`. */
export interface CallHandlers {
  /** Ringback: the called side is being alerted (first ring). */
  onAlerting?(): void;
  /** The called side answered and the handshake finished: the data path is up. */
  onConnect(path: LineEndpoint, link: LinkInfo): void;
  onFail(reason: CallFailure): void;
}

/** An incoming call as the called terminal sees it. */
export interface IncomingCall {
  readonly caller: string;
  readonly called: string;
  readonly offer: CallOffer;
  /** Ring cadence: `true` at the start of each ring burst, `false` at its end. */
  onRing(listener: (on: boolean) => void): void;
  /** The call went away before it was answered (caller hung up, no-answer timeout). */
  onCancel(listener: () => void): void;
  /**
   * Go off hook. With a link the data path comes up after `link.handshakeMs`
   * and `onConnect` gets this side's end; with `null` the handshake fails
   * and the call is released.
   */
  answer(link: LinkInfo | null, onConnect: (path: LineEndpoint) => void): void;
  /**
   * Turn the call down while it rings: the caller hears `busy` (a refused
   * connection behind the internet gateway) or the network's `unreachable`.
   */
  reject(reason: 'busy' | 'unreachable'): void;
}

/** Reply to an offered call. */
export type OfferReply = 'ringing' | 'busy';

/** Anything that can be called: it is offered each incoming call. */
export interface CallTerminal {
  offerCall(call: IncomingCall): OfferReply;
}

/** A call being placed; `cancel()` before connect ends it with 'cancelled'. */
export interface OutgoingCall {
  cancel(): void;
}

/** Options for one dial attempt. */
export interface DialOptions {
  /** Give up with 'no-answer' after this long without connect (the caller's S7). */
  noAnswerMs?: number;
}

/** A terminal's own line: its number and the way to place calls from it. */
export interface ExchangeLine {
  /** The number the exchange presents as caller (full external number where one exists). */
  readonly number: string;
  dial(digits: string, offer: CallOffer, handlers: CallHandlers, options?: DialOptions): OutgoingCall;
  /** Whether the line has dial tone (false when a 'no-dialtone' fault is set on it). */
  hasDialTone(): boolean;
}
