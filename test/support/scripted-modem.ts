import type { Clock } from '../../core/clock.js';
import type { DialResult, ModemKind, OutgoingModem } from '../../core/modem-port.js';
import { createLinePair, type TerminalEndpoint } from '../../src/adapters/line-pair.js';

/** An OutgoingModem whose outcomes a test scripts; 'connect' hands out an in-process line whose far end the test holds. */
export class ScriptedModem implements OutgoingModem {
  readonly dialled: Array<{ number: string; at: number }> = [];
  /** Far ends of connected calls, newest last. */
  readonly remotes: TerminalEndpoint[] = [];
  outcomes: Array<'connect' | 'busy' | 'no-answer'> = [];

  constructor(readonly kind: ModemKind, private readonly clock: Clock) {}

  dial(number: string, done: (result: DialResult) => void): void {
    this.dialled.push({ number, at: this.clock.now() });
    const outcome = this.outcomes.shift() ?? 'busy';
    this.clock.setTimer(500, () => {
      if (outcome !== 'connect') return done({ outcome });
      const pair = createLinePair(`${this.kind} ${number}`);
      this.remotes.push(pair.dte);
      done({ outcome: 'connect', line: pair.dce, connectText: this.kind === 'x75' ? '64000/X75' : '14400/V42BIS' });
    });
  }
}
