import type { CallTerminal, IncomingCall, OfferReply } from '../../core/call.js';

/**
 * One number in front of several lines (a "Sammelanschluss"): a centre's
 * modems answering under one number. Each call is offered to the members
 * in order and rings on the first that is not busy; busy only when every
 * member is. A member stays callable on its own number, and a modem that
 * is off hook — in a call or dialling out — answers busy to both.
 */
export class HuntGroup implements CallTerminal {
  constructor(private readonly members: readonly CallTerminal[]) {}

  /** How many calls the group can take at once: give it to the exchange as the number's channels. */
  get channels(): number {
    return this.members.length;
  }

  offerCall(call: IncomingCall): OfferReply {
    for (const m of this.members) if (m.offerCall(call) === 'ringing') return 'ringing';
    return 'busy';
  }
}
