import t, { type Test } from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { ANSWER_TIMEOUT_MS, CentreReceiver, INIT_COMMANDS, ReceiverState } from '../../src/centre/centre-receiver.js';
import type { ReportStore } from '../../src/centre/report-store.js';

/**
 * Between RING and CONNECT the centre's modem is answering a PBX's call
 * (S0=1): the receiver says so (Answering) and lends the modem to nobody,
 * and an answer that comes to nothing (NO CARRIER, or no outcome at all)
 * puts it back to waiting for calls. The modem here is a script on the
 * DCE side of a line pair, in virtual time.
 */
const noStore: ReportStore = { appendReport: () => Promise.reject(new Error('no report expected')) };

function scriptedReceiver(t: Test) {
  const clock = new VirtualClock();
  const pair = createLinePair('centre modem');
  const commands: string[] = [];
  pair.dce.onData((d) => {
    for (const line of Buffer.from(d).toString('latin1').split('\r').filter(Boolean)) {
      commands.push(line);
      pair.dce.write('\r\nOK\r\n');
    }
  });
  const receiver = new CentreReceiver({ clock, line: pair.dte, store: noStore, name: 'centre' });
  t.teardown(() => receiver.close());
  receiver.start();
  clock.advance(10);
  const say = (text: string) => {
    pair.dce.write(`\r\n${text}\r\n`);
    clock.advance(10);
  };
  return { clock, receiver, commands, say };
}

t.test('an answer that gets no carrier: answering, nothing lent, then waiting for calls again', async (t) => {
  const { receiver, commands, say } = scriptedReceiver(t);
  t.same(commands, [...INIT_COMMANDS], 'the modem is set to auto-answer');
  t.equal(receiver.state, ReceiverState.Idle, 'and the receiver waits for calls');
  say('RING');
  t.equal(receiver.state, ReceiverState.Answering, 'RING: the modem answers');
  t.equal(receiver.lend(), undefined, 'an answering modem is not lent');
  say('NO CARRIER');
  t.equal(receiver.state, ReceiverState.Idle, 'no carrier: waiting for calls again');
  t.same(commands, [...INIT_COMMANDS], 'without a command typed into the modem');
  const lent = receiver.lend();
  t.ok(lent, 'and the modem can be lent again');
  lent?.destroy();
});

t.test('an answer with no outcome at all ends after its timeout', async (t) => {
  const { clock, receiver, say } = scriptedReceiver(t);
  say('RING');
  clock.advance(ANSWER_TIMEOUT_MS - 100);
  t.equal(receiver.state, ReceiverState.Answering, 'still answering just before the timeout');
  clock.advance(200);
  t.equal(receiver.state, ReceiverState.Idle, 'waiting for calls after it');
});

t.test('a CONNECT while answering is a call', async (t) => {
  const { receiver, say } = scriptedReceiver(t);
  say('RING');
  say('CONNECT 2400');
  t.equal(receiver.state, ReceiverState.Hello, 'the call is taken');
  t.equal(receiver.lend(), undefined, 'and the modem is not lent');
});
