import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallOffer, LinkInfo } from '../core/call.js';
import type { DataPump } from './data-pump.js';
import { isModemCapabilities, linkFor, negotiate, type ModemCapabilities } from './negotiation.js';

/** The analog data pump: V.21…V.32bis with V.42/MNP and V.42bis/MNP5, capabilities read live from the modem's settings. */
export class AnalogPump implements DataPump {
  readonly name = 'analog';

  constructor(private readonly capabilities: () => ModemCapabilities) {}

  offer(): CallOffer {
    return { bearer: 'analog', capabilities: this.capabilities() };
  }

  answer(offer: CallOffer): LinkInfo | null {
    if (offer.bearer !== 'analog' || !isModemCapabilities(offer.capabilities)) return null;
    const n = negotiate(offer.capabilities, this.capabilities());
    return n ? linkFor(n) : null;
  }

  /** Error control and compression are end-to-end properties here: the user bytes cross the path unchanged. */
  attach(path: LineEndpoint, _link: LinkInfo, _role: 'originate' | 'answer'): LineEndpoint {
    return path;
  }
}
