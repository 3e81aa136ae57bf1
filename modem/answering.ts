import type { DceLines, LineEndpoint } from '../core/line-endpoint.js';
import type { IncomingCall, LinkInfo, OfferReply } from '../core/call.js';
import type { DataPump } from './data-pump.js';
import { S, type SRegisters } from './s-registers.js';

/** S1 counts up to this and stays there (an S-register holds one octet). */
const MAX_RING_COUNT = 255;

/** What answering needs of the modem. */
export interface AnsweringHost {
  readonly sRegisters: SRegisters;
  /** RI towards the DTE follows the ring cadence. */
  setLines(lines: Partial<DceLines>): void;
  /** RING is reported, counted and auto-answered only in command state. */
  inCommandState(): boolean;
  /** &D2 with DTR off: auto-answer is disabled (V.250 §6.2.9). */
  autoAnswerBlocked(): boolean;
  /** One ring burst began: report RING. */
  ringing(): void;
  /** S0 rings have been counted: answer as ATA does. */
  autoAnswer(): void;
  /** The caller went away before the call connected. */
  callerGone(): void;
}

/**
 * Incoming calls of the Hayes modem: one call may ring at a time; its
 * cadence drives RI and RING, S1 counts the rings and S0 answers after that
 * many (0: never). `answer()` goes off hook with the pump matching the
 * caller's bearer.
 */
export class Answering {
  readonly #host: AnsweringHost;
  #incoming: IncomingCall | undefined;

  constructor(host: AnsweringHost) {
    this.#host = host;
  }

  /** A call is ringing or being answered. */
  get ringing(): boolean {
    return this.#incoming !== undefined;
  }

  offer(call: IncomingCall): OfferReply {
    if (this.#incoming) return 'busy';
    this.#incoming = call;
    this.#host.sRegisters.set(S.ringCount, 0);
    call.onRing((on) => this.#ring(call, on));
    call.onCancel(() => this.#gone(call));
    return 'ringing';
  }

  /**
   * Go off hook for the ringing call; `connected` gets the DTE's byte stream
   * once the pumps have trained. False when nothing rings (ATA into an idle line).
   */
  answer(pumps: Iterable<DataPump>, connected: (data: LineEndpoint, link: LinkInfo) => void): boolean {
    const call = this.#incoming;
    if (!call) return false;
    this.#host.setLines({ ri: false });
    const pump = [...pumps].find((p) => p.offer().bearer === call.offer.bearer);
    const link = pump?.answer(call.offer) ?? null;
    call.answer(link, (path) => {
      if (this.#incoming === call) this.#incoming = undefined;
      if (pump && link) connected(pump.attach(path, link, 'answer'), link);
    });
    return true;
  }

  /** Going on hook while answering: the caller is no longer ours. */
  drop(): void {
    this.#incoming = undefined;
  }

  #ring(call: IncomingCall, on: boolean): void {
    if (this.#incoming !== call) return;
    const host = this.#host;
    host.setLines({ ri: on });
    if (!on || !host.inCommandState()) return;
    const regs = host.sRegisters;
    regs.set(S.ringCount, Math.min(MAX_RING_COUNT, regs.get(S.ringCount) + 1));
    host.ringing();
    const rings = regs.get(S.autoAnswerRings);
    if (rings > 0 && regs.get(S.ringCount) >= rings && !host.autoAnswerBlocked()) host.autoAnswer();
  }

  #gone(call: IncomingCall): void {
    if (this.#incoming !== call) return;
    this.#incoming = undefined;
    this.#host.setLines({ ri: false });
    this.#host.sRegisters.set(S.ringCount, 0);
    this.#host.callerGone();
  }
}
