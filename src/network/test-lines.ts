import type { Clock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { AnalogPump } from '../../modem/analog-pump.js';
import { defaultCapabilities } from '../../modem/negotiation.js';
import { startX75, X75Pump } from '../../modem/x75-pump.js';
import type { CallTerminal, IncomingCall, OfferReply } from '../../core/call.js';
import type { Exchange } from './exchange.js';

/** Numbers of the network's test lines (spec §4.12). */
export interface TestLineNumbers {
  /** Answers as a V.32bis/V.42bis modem (or X.75 on a digital call) and echoes every byte back. */
  echo: string;
  /** Always busy. */
  busy: string;
  /** Rings for ever. */
  noAnswer: string;
}

export const DEFAULT_TEST_LINES: Readonly<TestLineNumbers> = Object.freeze({ echo: '0800100', busy: '0800200', noAnswer: '0800300' });

const echo = (line: LineEndpoint): void => line.onData((bytes) => line.write(bytes));

/** Answers at the end of the first ring, like an automatic test line: analog calls as a modem, digital ones with X.75. */
class EchoLine implements CallTerminal {
  readonly #analog = new AnalogPump(defaultCapabilities);
  readonly #x75: X75Pump;

  constructor(private readonly clock: Clock) {
    this.#x75 = new X75Pump({ clock });
  }

  offerCall(call: IncomingCall): OfferReply {
    let answered = false;
    call.onRing((on) => {
      if (on || answered) return;
      answered = true;
      if (call.offer.bearer === 'digital') {
        call.answer(this.#x75.answer(call.offer), (path) => echo(startX75(path, 'answer', { clock: this.clock }).endpoint));
      } else {
        call.answer(this.#analog.answer(call.offer), echo);
      }
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

/** The echo number is a hunt group: many testers (and the 256-session benchmark) call it at once. */
export const ECHO_LINE_CHANNELS = 1024;

/** Put the three test lines into the numbering plan; returns the numbers used. */
export function installTestLines(exchange: Exchange, numbers: Partial<TestLineNumbers> = {}): TestLineNumbers {
  const n = { ...DEFAULT_TEST_LINES, ...numbers };
  exchange.addSubscriber(n.echo, new EchoLine(exchange.clock), { channels: ECHO_LINE_CHANNELS });
  exchange.addSubscriber(n.busy, new BusyLine());
  exchange.addSubscriber(n.noAnswer, new SilentLine());
  return n;
}
