import t from 'tap';
import { Centre } from '../../src/centre/centre.js';
import { ReceiverState } from '../../src/centre/centre-receiver.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { advanceUntil, enableSignaling, raise, startTeleserviceLab } from '../support/teleservice-lab.js';

/**
 * The centre's test call borrows a modem from its receiver (docs/portal.md
 * "Test now"): only an idle one, the receiver reads nothing meanwhile, and
 * the modem goes back to receive mode when the borrower lets go — so the
 * PBX's report that follows the test is received. Virtual time.
 */
t.test('a receiver lends its idle modem, never one answering or in a call, and takes it back into receive mode', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const plain = await startTeleserviceLab();
  t.teardown(() => plain.close());
  const centre = new Centre(tl.clock, new DatabaseReportStore(plain.lab.centreDatabase!));
  t.teardown(() => centre.close());
  const receiver = centre.attachSlot(tl.lab.modems.get('centre')!.slot, 'centre');
  tl.clock.advance(1000);
  t.equal(receiver.state, ReceiverState.Idle, 'the receiver waits for calls');

  const lent = centre.lendModem();
  t.ok(lent, 'the idle modem is lent');
  t.equal(lent?.name, 'centre', 'by its name');
  t.equal(receiver.state, ReceiverState.Lent, 'the receiver says so');
  t.equal(centre.lendModem(), undefined, 'and does not lend it twice');
  let heard = '';
  lent!.stream.on('data', (d: Buffer) => (heard += d.toString('latin1')));
  lent!.stream.write('AT\r');
  tl.clock.advance(100);
  await new Promise((r) => setImmediate(r));
  t.match(heard, /OK/, "the modem's answers go to the borrower");
  t.equal(receiver.state, ReceiverState.Lent, 'and the receiver does not act on them');

  lent!.stream.destroy();
  await new Promise((r) => setImmediate(r));
  t.not(receiver.state, ReceiverState.Lent, 'let go, the receiver takes the modem back');
  tl.clock.advance(1000);
  t.equal(receiver.state, ReceiverState.Idle, 'sets it up for receive mode again and waits for calls');

  // A call in progress: the modem is busy, nothing is lent.
  const { pbx } = tl.pbx();
  enableSignaling(pbx, 1);
  raise(pbx, 'B');
  advanceUntil(tl.clock, () => receiver.state !== ReceiverState.Idle, 2 * 60_000);
  t.equal(receiver.state, ReceiverState.Answering, 'the PBX calls with its report: RING, and the modem answers');
  t.equal(centre.lendModem(), undefined, 'a modem answering a call is not lent (a command now would abort the answer)');
  advanceUntil(tl.clock, () => receiver.state !== ReceiverState.Answering, 60_000);
  t.equal(receiver.state, ReceiverState.Hello, 'the answer connects');
  t.equal(centre.lendModem(), undefined, 'a modem in a call is not lent');
  advanceUntil(tl.clock, () => receiver.state === ReceiverState.Idle, 5 * 60_000);
  t.equal(receiver.received, 1, 'the report was received');
});
