import { VirtualClock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { CallTerminal, ExchangeLine, IncomingCall, OfferReply } from '../../core/call.js';
import { Exchange, type TrunkKind } from '../../src/network/exchange.js';
import { PcmReader, VOICE_LINK } from '../../dsp/pcm.js';

/** Answers voice calls at once and collects the audio it hears. */
export class VoiceListener implements CallTerminal {
  readonly heard: number[] = [];
  path: LineEndpoint | undefined;
  readonly #reader = new PcmReader();

  offerCall(call: IncomingCall): OfferReply {
    call.answer({ ...VOICE_LINK }, (path) => {
      this.path = path;
      path.onData((b) => this.heard.push(...this.#reader.push(b)));
    });
    return 'ringing';
  }

  samples(): Int16Array {
    return Int16Array.from(this.heard);
  }
}

/** A phone on a subscriber line: places a voice call and collects what comes back. */
export class VoicePhone implements CallTerminal {
  readonly heard: number[] = [];
  path: LineEndpoint | undefined;
  failed: string | undefined;
  line!: ExchangeLine;
  readonly #reader = new PcmReader();

  offerCall(): OfferReply {
    return 'busy';
  }

  call(number: string): void {
    this.line.dial(number, { bearer: 'voice' }, {
      onConnect: (path) => {
        this.path = path;
        path.onData((b) => this.heard.push(...this.#reader.push(b)));
      },
      onFail: (reason) => { this.failed = reason; },
    });
  }
}

/** A network with one PBX (trunk 0301234, trunks of `kind`) and a phone on subscriber 0401000. */
export function voiceNetwork(kind: TrunkKind) {
  const clock = new VirtualClock();
  const exchange = new Exchange(clock);
  const node = exchange.addPbx({ id: 'P1', trunkNumbers: ['0301234'], trunkKind: kind });
  const phone = new VoicePhone();
  phone.line = exchange.addSubscriber('0401000', phone);
  return { clock, exchange, node, phone };
}
