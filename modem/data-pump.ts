import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallOffer, LinkInfo } from '../core/call.js';

/**
 * What a modem uses on the line side once a call is placed or offered: the
 * analog pump (modem/analog-pump.ts) negotiates V.22bis…V.32bis with
 * V.42/MNP and V.42bis/MNP5; the X.75 pump (ISDN terminal adapter, built on
 * LAPB) plugs in through the same interface and is selected with `AT+BX75`
 * in the 'isdn-ta' profile.
 */
export interface DataPump {
  /** Name used in logs and by `HayesModem.registerPump`. */
  readonly name: string;
  /** The offer placed in an outgoing call (bearer + capabilities). */
  offer(): CallOffer;
  /** Answer side: the link for a caller's offer, or null when nothing is in common. */
  answer(offer: CallOffer): LinkInfo | null;
  /**
   * Turn the connected network path into the byte stream the DTE sees.
   * The analog pump returns the path itself; X.75 runs LAPB over it and
   * returns the reliable user-data stream. Closing the returned endpoint
   * must hang up the call.
   */
  attach(path: LineEndpoint, link: LinkInfo, role: 'originate' | 'answer'): LineEndpoint;
}
