import type { Clock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import type { DialFailure, DialResult, ModemCallSink, OutgoingModem } from '../core/modem-port.js';
import type { CallFailure, CallTerminal, ExchangeLine, IncomingCall, OfferReply } from '../core/call.js';
import { AnalogPump } from './analog-pump.js';
import { defaultCapabilities, type ModemCapabilities } from './negotiation.js';

export interface ImodOptions {
  clock: Clock;
  /** The PBX: gets the DCE-side endpoint of every connected incoming call. */
  sink: ModemCallSink;
  /** Default: V.32bis 14400, V.42 + MNP 2-4, V.42bis + MNP 5 (spec §3.2). */
  capabilities?: ModemCapabilities;
  /** Rings before the IMOD answers (default 1). */
  answerAfterRings?: number;
  /** Outgoing calls give up after this long without connect (default 50 s, like S7). */
  noAnswerMs?: number;
}

const DEFAULT_NO_ANSWER_MS = 50_000;

/** How a network failure of an outgoing PBX modem call is reported to the firmware (shared with the X.75 modem). */
export const DIAL_FAILURES: Readonly<Record<CallFailure, DialFailure>> = {
  busy: 'busy',
  'no-answer': 'no-answer',
  unobtainable: 'unobtainable',
  unreachable: 'no-carrier',
  'handshake-failed': 'no-carrier',
  'no-dialtone': 'no-dialtone',
  cancelled: 'no-carrier',
};

/**
 * The PBX's analog IMOD pseudo-port (spec §3.2): one modem channel that
 * answers calls to its number, negotiates with the caller, and hands the
 * connected line to the PBX; and places the PBX's outgoing calls
 * (callback, error signaling). While the channel is in use a second caller
 * gets BUSY ("all modem channels busy").
 */
export class Imod implements CallTerminal, OutgoingModem {
  readonly kind = 'imod' as const;
  readonly #clock: Clock;
  readonly #sink: ModemCallSink;
  readonly #pump: AnalogPump;
  readonly #answerAfterRings: number;
  readonly #noAnswerMs: number;
  #line: ExchangeLine | undefined;
  #inUse = false;

  constructor(options: ImodOptions) {
    this.#clock = options.clock;
    this.#sink = options.sink;
    const caps = options.capabilities ?? defaultCapabilities();
    this.#pump = new AnalogPump(() => caps);
    this.#answerAfterRings = Math.max(1, options.answerAfterRings ?? 1);
    this.#noAnswerMs = options.noAnswerMs ?? DEFAULT_NO_ANSWER_MS;
  }

  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  /** The single modem channel is taken (ringing, connected or dialing). */
  get busy(): boolean {
    return this.#inUse;
  }

  offerCall(call: IncomingCall): OfferReply {
    if (this.#inUse) return 'busy';
    this.#inUse = true;
    let rings = 0;
    let answered = false;
    call.onCancel(() => { if (!answered) this.#inUse = false; });
    call.onRing((on) => {
      if (!on || answered || ++rings < this.#answerAfterRings) return;
      answered = true;
      const link = this.#pump.answer(call.offer);
      if (!link) {
        // Handshake fails: the exchange releases the call; the channel is free again.
        this.#inUse = false;
        call.answer(null, () => {});
        return;
      }
      call.answer(link, (path) => {
        this.#hold(path);
        this.#sink.acceptModemCall(path, { kind: 'imod', caller: call.caller, connectText: link.connectText });
      });
    });
    return 'ringing';
  }

  dial(number: string, done: (result: DialResult) => void): void {
    const line = this.#line;
    // Report on the clock, never from inside dial(): the caller sees one code path.
    if (!line) return void this.#clock.setTimer(0, () => done({ outcome: 'no-dialtone' }));
    if (this.#inUse) return void this.#clock.setTimer(0, () => done({ outcome: 'channel-busy' }));
    this.#inUse = true;
    line.dial(number, this.#pump.offer(), {
      onConnect: (path, link) => {
        this.#hold(path);
        done({ outcome: 'connect', line: path, connectText: link.connectText });
      },
      onFail: (reason) => {
        this.#inUse = false;
        done({ outcome: DIAL_FAILURES[reason] });
      },
    }, { noAnswerMs: this.#noAnswerMs });
  }

  #hold(path: LineEndpoint): void {
    path.onClose(() => { this.#inUse = false; });
  }
}
