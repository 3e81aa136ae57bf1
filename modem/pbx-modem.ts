import type { Clock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import type { DialFailure, DialResult, ModemCallSink, ModemKind, OutgoingModem } from '../core/modem-port.js';
import type { CallFailure, CallTerminal, DialOptions, ExchangeLine, IncomingCall, LinkInfo, OfferReply } from '../core/call.js';
import type { DataPump } from './data-pump.js';

/** Outgoing calls of a PBX modem give up after this long without connect: 50 s, the V.250 default of S7. */
export const DEFAULT_NO_ANSWER_MS = 50_000;

/** How a network failure of an outgoing PBX modem call is reported to the firmware. */
const DIAL_FAILURES: Readonly<Record<CallFailure, DialFailure>> = {
  busy: 'busy',
  'no-answer': 'no-answer',
  unobtainable: 'unobtainable',
  unreachable: 'no-carrier',
  'handshake-failed': 'no-carrier',
  'no-dialtone': 'no-dialtone',
  cancelled: 'no-carrier',
};

/** The result of each failure, made once and frozen: a fleet's PBXs retry a busy centre by the million. */
const FAILED = Object.freeze(Object.fromEntries(Object.entries(DIAL_FAILURES).map(([reason, outcome]) => [reason, Object.freeze({ outcome })]))) as Readonly<Record<CallFailure, DialResult>>;
const CHANNEL_BUSY: DialResult = Object.freeze({ outcome: 'channel-busy' });

export interface PbxModemOptions {
  clock: Clock;
  /** The PBX: gets the DCE-side endpoint of every connected incoming call. */
  sink: ModemCallSink;
  /** Calls the pseudo-port serves at once (default 1); one more caller gets BUSY. */
  channels?: number;
  /** Rings before an incoming call is answered (default 1). */
  answerAfterRings?: number;
  /** Outgoing calls give up after this long without connect (default DEFAULT_NO_ANSWER_MS). */
  noAnswerMs?: number;
}

/**
 * What the PBX's two built-in modems (spec §3.2), the analog IMOD and the
 * X.75 B-channel modem, share: a pseudo-port on the exchange with a number
 * of channels. An incoming call takes a channel while it rings and is
 * answered after some rings with the modem's pump; an outgoing call of the
 * firmware (callback, error signaling) takes one while it is placed; the
 * channel is free again when the call ends. When every channel is taken the
 * next caller gets BUSY and the firmware's dial gets 'channel-busy'.
 *
 * A concrete modem says what runs on a connected path before the PBX gets
 * it (`incoming`, `outgoing`).
 */
export abstract class PbxModem implements CallTerminal, OutgoingModem {
  abstract readonly kind: ModemKind;
  #channels: number;
  protected readonly clock: Clock;
  protected readonly sink: ModemCallSink;
  readonly #answerAfterRings: number;
  /** The dial's options, the same for every call (a fleet PBX retrying a busy centre dials by the thousand). */
  readonly #dialOptions: Readonly<DialOptions>;
  #line: ExchangeLine | undefined;
  #inUse = 0;

  constructor(options: PbxModemOptions) {
    this.clock = options.clock;
    this.sink = options.sink;
    this.#channels = Math.max(1, options.channels ?? 1);
    this.#answerAfterRings = Math.max(1, options.answerAfterRings ?? 1);
    this.#dialOptions = { noAnswerMs: options.noAnswerMs ?? DEFAULT_NO_ANSWER_MS };
  }

  /** The modem's pump: what it offers and what it answers. */
  protected abstract get pump(): DataPump;

  /** An answered call's path is up: hand it to the PBX (once anything the modem runs on it is up). */
  protected abstract incoming(path: LineEndpoint, call: IncomingCall, link: LinkInfo): void;

  /** An outgoing call's path is up: report `done` (once anything the modem runs on it is up). */
  protected abstract outgoing(path: LineEndpoint, link: LinkInfo, done: (result: DialResult) => void): void;

  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  /** Calls served at once; one more caller gets BUSY. */
  get channels(): number {
    return this.#channels;
  }

  /** A new channel count (a KDS change) takes effect for the next call; calls in progress stay. */
  setChannels(channels: number): void {
    this.#channels = Math.max(1, channels);
  }

  /** Channels taken (ringing, connected or dialing). */
  get channelsInUse(): number {
    return this.#inUse;
  }

  offerCall(call: IncomingCall): OfferReply {
    if (this.#inUse >= this.#channels) return 'busy';
    this.#inUse++;
    let rings = 0;
    let answered = false;
    call.onCancel(() => { if (!answered) this.#release(); });
    call.onRing((on) => {
      if (!on || answered || ++rings < this.#answerAfterRings) return;
      answered = true;
      const link = this.pump.answer(call.offer);
      if (!link) {
        // Nothing in common (the handshake fails): the exchange releases the call, the channel is free again.
        this.#release();
        call.answer(null, () => {});
        return;
      }
      call.answer(link, (path) => {
        this.#hold(path);
        this.incoming(path, call, link);
      });
    });
    return 'ringing';
  }

  dial(number: string, done: (result: DialResult) => void): void {
    const line = this.#line;
    // Report on the clock, never from inside dial(): the caller sees one code path.
    if (!line) return void this.clock.setTimer(0, () => done(FAILED['no-dialtone']));
    if (this.#inUse >= this.#channels) return void this.clock.setTimer(0, () => done(CHANNEL_BUSY));
    this.#inUse++;
    line.dial(number, this.pump.offer(), {
      onConnect: (path, link) => {
        this.#hold(path);
        this.outgoing(path, link, done);
      },
      onFail: (reason) => {
        this.#release();
        done(FAILED[reason]);
      },
    }, this.#dialOptions);
  }

  #hold(path: LineEndpoint): void {
    path.onClose(() => this.#release());
  }

  #release(): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
  }
}
