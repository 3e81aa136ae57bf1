import type { LineEndpoint } from '../../core/line-endpoint.js';
import { DtmfSourceStation } from '../../firmware-sim/dtmf-admin/source-station.js';
import type { DisplayLines } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import type { CallTerminal, ExchangeLine, OfferReply } from '../../core/call.js';
import type { DtmfAdminOffer } from './dtmf-admin-port.js';
import { samplesToBytes } from '../../dsp/pcm.js';

/**
 * A station of the source PBX on the network, for active DTMF remote mode:
 * its keypad (`press`) and display; the code procedure places a voice call
 * from this station's line, and its keys then go out as DTMF audio.
 */
export class DtmfStationPort implements CallTerminal {
  readonly station: DtmfSourceStation;
  #line: ExchangeLine | undefined;
  #path: LineEndpoint | undefined;
  readonly #displayListeners: Array<(lines: DisplayLines) => void> = [];

  constructor(pbx: Pbx, internal: string) {
    this.station = new DtmfSourceStation(pbx, internal, {
      display: (lines) => {
        for (const l of this.#displayListeners) l(lines);
      },
      audio: (samples) => this.#path?.write(samplesToBytes(samples)),
      dial: (number, source) => {
        const offer: DtmfAdminOffer = { dtmfAdmin: { source, mirror: (lines) => this.station.mirror(lines) } };
        if (!this.#line) return this.station.ended('no line');
        this.#line.dial(number, { bearer: 'voice', capabilities: offer }, {
          onConnect: (path) => {
            this.#path = path;
            path.onClose(() => {
              this.#path = undefined;
              this.station.ended('call ended');
            });
            this.station.connected();
          },
          onFail: (reason) => this.station.ended(reason),
        });
      },
    });
  }

  /** Every change of the station's display, also those no key caused (the target's menu arriving, the call ending); returns how to stop listening. */
  onDisplay(listener: (lines: DisplayLines) => void): () => void {
    this.#displayListeners.push(listener);
    return () => {
      const at = this.#displayListeners.indexOf(listener);
      if (at >= 0) this.#displayListeners.splice(at, 1);
    };
  }

  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  press(keys: string): void {
    for (const k of keys) this.station.press(k);
  }

  /** The station takes no incoming calls in this model. */
  offerCall(): OfferReply {
    return 'busy';
  }
}
