import t from 'tap';
import { AnalogPump } from '../../modem/analog-pump.js';
import { defaultCapabilities } from '../../modem/negotiation.js';
import type { CallTerminal, IncomingCall, OfferReply } from '../../core/call.js';
import { createRig } from '../support/modem-rig.js';

/**
 * A called side that answers, says why it refuses and hangs up at once —
 * what the PBX does while the customer PIN is still the default. The
 * caller must see CONNECT, the message and NO CARRIER; before the fix the
 * release happened before the caller was told of the connection, so the
 * modem sat in "dialing" until S7 and the message was lost.
 */
class Refuser implements CallTerminal {
  readonly #pump = new AnalogPump(defaultCapabilities);
  offerCall(call: IncomingCall): OfferReply {
    call.onRing((on) => {
      if (!on) return;
      call.answer(this.#pump.answer(call.offer), (path) => {
        path.write('ERROR 403 modem access is blocked\r\n');
        path.close();
      });
    });
    return 'ringing';
  }
}

for (const pacing of [true, false]) {
  t.test(`a called side that hangs up inside its connect (pacing ${pacing})`, async (t) => {
    const rig = createRig({ pacing });
    rig.exchange.addSubscriber('0301234791', new Refuser());
    const { term, modem } = rig.addModem('0897000', { echo: false });
    term.send('ATDT0301234791\r');
    rig.clock.advance(20_000);
    const out = term.take();
    t.match(out, /CONNECT 14400\/V42BIS\r\n/, 'the caller reports CONNECT');
    t.match(out, /ERROR 403 modem access is blocked\r\n[\s\S]*NO CARRIER/, 'the refusal arrives before NO CARRIER');
    t.equal(modem.state, 'command', 'the modem is back in command state, not stuck dialing');
    t.equal(rig.exchange.activeCalls, 0, 'the call is released');
  });
}

t.test('a caller that hangs up while its last bytes are paced still delivers them', async (t) => {
  const rig = createRig({ pacing: true });
  let received = '';
  let closed = false;
  rig.exchange.addSubscriber('0800100', {
    offerCall(call: IncomingCall): OfferReply {
      call.onRing((on) => {
        if (on) call.answer(new AnalogPump(defaultCapabilities).answer(call.offer), (path) => {
          path.onData((b) => { received += Buffer.from(b).toString('latin1'); });
          path.onClose(() => { closed = true; });
        });
      });
      return 'ringing';
    },
  });
  const { term } = rig.addModem('0897000', { echo: false });
  term.send('ATDT0800100\r');
  rig.clock.advance(20_000);
  t.match(term.take(), /CONNECT/, 'connected');
  // 5000 bytes at 1440 bytes/s take ~3.5 s; ATH comes after ~2.2 s.
  term.send('x'.repeat(5000), 5000);
  rig.clock.advance(1100);
  term.send('+++');
  rig.clock.advance(1100);
  t.notOk(closed, 'still connected in online-command state');
  term.send('ATH\r');
  rig.clock.advance(10);
  t.ok(received.length < 5000, `bytes are still on their way at ATH (${received.length} so far)`);
  rig.clock.advance(5000);
  t.equal(received.length, 5003, 'every byte written before ATH reached the far end');
  t.ok(closed, 'then the call was released');
});
