import type { LineEndpoint } from '../core/line-endpoint.js';
import type { DialResult } from '../core/modem-port.js';
import type { IncomingCall, LinkInfo } from '../core/call.js';
import type { LapbLogger, LapbParams } from './lapb.js';
import { PbxModem, type PbxModemOptions } from './pbx-modem.js';
import { startX75, X75Pump, type X75Options } from './x75-pump.js';

export interface X75ModemOptions extends Omit<PbxModemOptions, 'answerAfterRings'> {
  params?: Partial<LapbParams>;
  logger?: LapbLogger;
}

/**
 * The PBX's digital B-channel modem (spec §3.2): a pseudo-port that answers
 * digital calls with X.75 (LAPB, docs/x75.md) and hands the user data to
 * the PBX once the link is up; and places the PBX's own X.75 calls
 * (callback with the X.75 flag, error signaling over index 1). Analog
 * callers reach it but find no common modulation (handshake fails). When
 * every channel is taken the next caller gets BUSY.
 */
export class X75Modem extends PbxModem {
  readonly kind = 'x75' as const;
  readonly #x75: X75Options;
  readonly #pump: X75Pump;

  constructor(options: X75ModemOptions) {
    super(options);
    this.#x75 = { clock: options.clock, params: options.params, logger: options.logger };
    this.#pump = new X75Pump(this.#x75);
  }

  protected get pump(): X75Pump {
    return this.#pump;
  }

  protected incoming(path: LineEndpoint, call: IncomingCall, link: LinkInfo): void {
    const x75 = startX75(path, 'answer', this.#x75);
    let accepted = false;
    // A LAPB reset brings the link up again: still the same call and session.
    x75.onLinkUp(() => {
      if (accepted) return;
      accepted = true;
      this.sink.acceptModemCall(x75.endpoint, { kind: 'x75', caller: call.caller, connectText: link.connectText });
    });
  }

  protected outgoing(path: LineEndpoint, link: LinkInfo, done: (result: DialResult) => void): void {
    // The PBX may talk once LAPB is up; a link that never comes up is no carrier.
    const x75 = startX75(path, 'originate', this.#x75);
    let up = false;
    x75.onLinkUp(() => {
      if (up) return;
      up = true;
      done({ outcome: 'connect', line: x75.endpoint, connectText: link.connectText });
    });
    x75.onReleased(() => { if (!up) done({ outcome: 'no-carrier' }); });
  }
}
