import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallOffer, LinkInfo } from '../core/call.js';
import type { DataPump } from './data-pump.js';

/**
 * What the network's internet gateway puts into its offer when a TCP caller
 * rings a modem (bridge mode, docs/bridge.md): the rate the call reports.
 */
export interface BridgeCapabilities {
  rateBps: number;
}

/** Start + 8 data + stop bits per byte on the DTE's serial line. */
const BITS_PER_BYTE = 10;

/**
 * The link of a bridged call: no training, CONNECT at the rate the gateway
 * reports (tcpser reports the DTE's speed, 38400 by default), paced at it.
 */
export function bridgeLink(rateBps: number): LinkInfo {
  return { rateBps, bytesPerSecond: rateBps / BITS_PER_BYTE, connectText: String(rateBps), handshakeMs: 0 };
}

/**
 * The pump of calls to and from the internet gateway: bytes pass through
 * unchanged, as tcpser passes them between its serial port and its socket.
 */
export class BridgePump implements DataPump {
  readonly name = 'bridge';

  offer(): CallOffer {
    return { bearer: 'internet' };
  }

  answer(offer: CallOffer): LinkInfo | null {
    const caps = offer.capabilities as Partial<BridgeCapabilities> | undefined;
    return offer.bearer === 'internet' && typeof caps?.rateBps === 'number' && caps.rateBps > 0 ? bridgeLink(caps.rateBps) : null;
  }

  attach(path: LineEndpoint, _link: LinkInfo, _role: 'originate' | 'answer'): LineEndpoint {
    return path;
  }
}
