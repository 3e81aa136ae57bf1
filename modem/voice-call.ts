import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallFailure, ExchangeLine, OutgoingCall } from '../core/call.js';

export interface VoiceCallEvents {
  /** The callee answered: `path` carries the audio now. */
  answered(): void;
  /** The call did not connect (a hang-up of our own is not reported). */
  failed(reason: Exclude<CallFailure, 'cancelled'>): void;
}

/**
 * A voice call placed with `ATD…;` or any dial in +FCLASS=8 (V.253). It
 * stays up while the modem is in command state, so voice mode can play to
 * and record from its audio path; `cancel()` hangs it up.
 */
export class VoiceCall implements OutgoingCall {
  readonly #handle: OutgoingCall;
  #path: LineEndpoint | undefined;
  #up = true;

  constructor(line: ExchangeLine, digits: string, events: VoiceCallEvents) {
    this.#handle = line.dial(digits, { bearer: 'voice' }, {
      onConnect: (path) => {
        this.#path = path;
        path.onClose(() => {
          if (this.#path !== path) return;
          this.#path = undefined;
          this.#up = false;
        });
        events.answered();
      },
      onFail: (reason) => {
        this.#up = false;
        if (reason !== 'cancelled') events.failed(reason);
      },
    });
  }

  /** Placed or connected, not yet gone. */
  get up(): boolean {
    return this.#up;
  }

  /** The audio path once answered. */
  get path(): LineEndpoint | undefined {
    return this.#path;
  }

  cancel(): void {
    this.#up = false;
    this.#path = undefined;
    this.#handle.cancel();
  }
}
