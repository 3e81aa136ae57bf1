import type { Clock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import type { DialResult, ModemCallSink, OutgoingModem } from '../core/modem-port.js';
import type { CallTerminal, ExchangeLine, IncomingCall, OfferReply } from '../core/call.js';
import { DIAL_FAILURES } from './imod.js';
import type { LapbLogger, LapbParams } from './lapb.js';
import { startX75, X75Pump } from './x75-pump.js';

export interface X75ModemOptions {
  clock: Clock;
  /** The PBX: gets the user-data endpoint of every call whose X.75 link is up. */
  sink: ModemCallSink;
  /** B channels the pseudo-port serves at once (default 1); one more caller gets BUSY. */
  channels?: number;
  /** Outgoing calls give up after this long without a link (default 50 s, like the IMOD). */
  noAnswerMs?: number;
  params?: Partial<LapbParams>;
  logger?: LapbLogger;
}

const DEFAULT_NO_ANSWER_MS = 50_000;

/**
 * The PBX's digital B-channel modem (spec §3.2): a pseudo-port that answers
 * digital calls with X.75 (LAPB, docs/x75.md) and hands the user data to
 * the PBX once the link is up; and places the PBX's own X.75 calls
 * (callback with the X.75 flag, error signaling over index 1). Analog
 * callers reach it but find no common modulation (handshake fails). When
 * every channel is taken the next caller gets BUSY.
 */
export class X75Modem implements CallTerminal, OutgoingModem {
  readonly kind = 'x75' as const;
  readonly channels: number;
  readonly #clock: Clock;
  readonly #sink: ModemCallSink;
  readonly #pump: X75Pump;
  readonly #noAnswerMs: number;
  readonly #x75: { clock: Clock; params?: Partial<LapbParams>; logger?: LapbLogger };
  #line: ExchangeLine | undefined;
  #inUse = 0;

  constructor(options: X75ModemOptions) {
    this.#clock = options.clock;
    this.#sink = options.sink;
    this.channels = Math.max(1, options.channels ?? 1);
    this.#noAnswerMs = options.noAnswerMs ?? DEFAULT_NO_ANSWER_MS;
    this.#x75 = { clock: options.clock, params: options.params, logger: options.logger };
    this.#pump = new X75Pump(this.#x75);
  }

  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  /** B channels taken (ringing, connected or dialing). */
  get channelsInUse(): number {
    return this.#inUse;
  }

  offerCall(call: IncomingCall): OfferReply {
    if (this.#inUse >= this.channels) return 'busy';
    this.#inUse++;
    let answered = false;
    call.onCancel(() => { if (!answered) this.#release(); });
    call.onRing((on) => {
      if (!on || answered) return;
      answered = true;
      const link = this.#pump.answer(call.offer);
      if (!link) {
        // Not an X.75 call (e.g. an analog modem): nothing in common, the exchange releases it.
        this.#release();
        call.answer(null, () => {});
        return;
      }
      call.answer(link, (path) => {
        this.#hold(path);
        const x75 = startX75(path, 'answer', this.#x75);
        let accepted = false;
        // A LAPB reset brings the link up again: still the same call and session.
        x75.onLinkUp(() => {
          if (accepted) return;
          accepted = true;
          this.#sink.acceptModemCall(x75.endpoint, { kind: 'x75', caller: call.caller, connectText: link.connectText });
        });
      });
    });
    return 'ringing';
  }

  dial(number: string, done: (result: DialResult) => void): void {
    const line = this.#line;
    // Report on the clock, never from inside dial(): the caller sees one code path.
    if (!line) return void this.#clock.setTimer(0, () => done({ outcome: 'no-dialtone' }));
    if (this.#inUse >= this.channels) return void this.#clock.setTimer(0, () => done({ outcome: 'channel-busy' }));
    this.#inUse++;
    line.dial(number, this.#pump.offer(), {
      onConnect: (path, link) => {
        this.#hold(path);
        // The PBX may talk once LAPB is up; a link that never comes up is no carrier.
        const x75 = startX75(path, 'originate', this.#x75);
        let up = false;
        x75.onLinkUp(() => {
          if (up) return;
          up = true;
          done({ outcome: 'connect', line: x75.endpoint, connectText: link.connectText });
        });
        x75.onReleased(() => { if (!up) done({ outcome: 'no-carrier' }); });
      },
      onFail: (reason) => {
        this.#release();
        done({ outcome: DIAL_FAILURES[reason] });
      },
    }, { noAnswerMs: this.#noAnswerMs });
  }

  #hold(path: LineEndpoint): void {
    path.onClose(() => this.#release());
  }

  #release(): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
  }
}
