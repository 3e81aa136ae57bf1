import t from 'tap';
import type { CallTerminal, IncomingCall, OfferReply } from '../../core/call.js';
import { HuntGroup } from '../../src/network/hunt-group.js';

/** A line that rings or is busy, and counts what it was offered. */
function line(reply: OfferReply): CallTerminal & { offered: number } {
  return {
    offered: 0,
    offerCall() {
      this.offered++;
      return reply;
    },
  };
}

const call = {} as IncomingCall;

t.test('a hunt group rings the first member that is not busy, and is busy only when every member is', async (t) => {
  const a = line('busy');
  const b = line('ringing');
  const c = line('ringing');
  const group = new HuntGroup([a, b, c]);
  t.equal(group.channels, 3, 'as many channels as members');
  t.equal(group.offerCall(call), 'ringing', 'a member is free: the call rings');
  t.same([a.offered, b.offered, c.offered], [1, 1, 0], 'offered in order, up to the first that rings');
  const full = new HuntGroup([line('busy'), line('busy')]);
  t.equal(full.offerCall(call), 'busy', 'every member busy: busy');
});
