import { AnalogPump } from '../../modem/analog-pump.js';
import { defaultCapabilities } from '../../modem/negotiation.js';
import type { CallTerminal, IncomingCall, OfferReply } from './call.js';
import type { Exchange } from './exchange.js';

/** Numbers of the network's test lines (spec §4.12). */
export interface TestLineNumbers {
  /** Answers as a V.32bis/V.42bis modem and echoes every byte back. */
  echo: string;
  /** Always busy. */
  busy: string;
  /** Rings for ever. */
  noAnswer: string;
}

export const DEFAULT_TEST_LINES: Readonly<TestLineNumbers> = Object.freeze({ echo: '0800100', busy: '0800200', noAnswer: '0800300' });

/** Answers at the end of the first ring, like an automatic test line. */
class EchoLine implements CallTerminal {
  readonly #pump = new AnalogPump(defaultCapabilities);

  offerCall(call: IncomingCall): OfferReply {
    let answered = false;
    call.onRing((on) => {
      if (on || answered) return;
      answered = true;
      call.answer(this.#pump.answer(call.offer), (path) => path.onData((bytes) => path.write(bytes)));
    });
    return 'ringing';
  }
}

class BusyLine implements CallTerminal {
  offerCall(): OfferReply {
    return 'busy';
  }
}

class SilentLine implements CallTerminal {
  offerCall(): OfferReply {
    return 'ringing';
  }
}

/** Put the three test lines into the numbering plan; returns the numbers used. */
export function installTestLines(exchange: Exchange, numbers: Partial<TestLineNumbers> = {}): TestLineNumbers {
  const n = { ...DEFAULT_TEST_LINES, ...numbers };
  exchange.addSubscriber(n.echo, new EchoLine());
  exchange.addSubscriber(n.busy, new BusyLine());
  exchange.addSubscriber(n.noAnswer, new SilentLine());
  return n;
}
