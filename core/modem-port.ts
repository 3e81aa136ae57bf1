import type { LineEndpoint } from './line-endpoint.js';

/**
 * The seam between the PBX firmware and its two built-in modems (spec §3.2):
 * the analog IMOD and the X.75 B-channel modem. Both are pseudo-ports with
 * an internal number and an optional DID.
 *
 * Everything here is synchronous callbacks, never Promises: a scenario that
 * advances a VirtualClock by a week must see every call outcome inside that
 * advance, and microtasks would not run until it returns.
 */
export type ModemKind = 'imod' | 'x75';

/** Why an outgoing call did not connect, as the modem reports it. */
export type DialFailure = 'busy' | 'no-answer' | 'unobtainable' | 'no-carrier' | 'no-dialtone' | 'channel-busy';

export type DialResult =
  | { outcome: 'connect'; line: LineEndpoint; connectText: string }
  | { outcome: DialFailure };

/** What the firmware calls to place an outgoing modem call (callback, error signaling). */
export interface OutgoingModem {
  readonly kind: ModemKind;
  /** Place a call; `done` is called exactly once with the outcome. */
  dial(number: string, done: (result: DialResult) => void): void;
}

/** What a modem model calls when a remote caller's data connection is up. */
export interface IncomingCallInfo {
  kind: ModemKind;
  /** Calling number as the network presents it ('' if withheld). */
  caller: string;
  /** The CONNECT text the caller's modem reported, e.g. "14400/V42BIS". */
  connectText: string;
}

/**
 * Implemented by the PBX: takes the DCE-side endpoint of a connected call and
 * runs a remote session over it (PIN first). Closing the endpoint from the
 * PBX side hangs up the call; the modem closing it ends the session.
 */
export interface ModemCallSink {
  acceptModemCall(line: LineEndpoint, info: IncomingCallInfo): void;
}
