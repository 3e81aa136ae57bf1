import t from 'tap';
import { LapbState } from '../../modem/lapb.js';
import { LapbPair, payload } from '../support/lapb-harness.js';

t.test('receiver busy: RNR stops the sender, it polls on T1, RR/REJ resumes without loss', async (t) => {
  const pair = new LapbPair({ params: { t1Ms: 1000 } });
  pair.establish();
  const data = payload(128 * 20, 5);
  pair.b.setReceiverBusy(true);
  t.equal(pair.count(/^b>a RNR nr=0 rsp/), 1, 'B announced RNR');
  pair.a.send(data.subarray(0, 128 * 10));
  pair.run(20);
  t.ok(pair.a.peerBusy, 'A knows B is busy');
  const sentWhileBusy = pair.count(/^a>b I /);
  pair.run(5000);
  t.equal(pair.count(/^a>b I /), sentWhileBusy, 'no new I frames while the peer is busy');
  t.ok(pair.count(/^a>b RR nr=0 P cmd/) >= 4, 'A kept polling every T1');
  t.ok(pair.count(/^b>a RNR nr=0 F rsp/) >= 4, 'B answered every poll with RNR F=1');
  t.equal(pair.a.state === LapbState.InformationTransfer || pair.a.state === LapbState.TimerRecovery, true, 'link stayed up beyond N2*T1 because polls were answered');
  t.same(pair.receivedByB, [], 'nothing delivered while busy');
  pair.a.send(data.subarray(128 * 10));
  pair.b.setReceiverBusy(false);
  t.ok(pair.count(/^b>a REJ nr=0 rsp/) === 1, 'B cleared busy with REJ because it had discarded frames');
  pair.run(2000);
  t.ok(Buffer.concat(pair.receivedByB).equals(data), 'all data arrived once, in order');
  t.notOk(pair.a.peerBusy, 'busy condition cleared');
});

t.test('busy with nothing discarded is cleared with RR', async (t) => {
  const pair = new LapbPair();
  pair.establish();
  pair.a.setReceiverBusy(true);
  pair.a.setReceiverBusy(false);
  t.same(pair.trace, ['a>b RNR nr=0 rsp', 'a>b RR nr=0 rsp'], 'RNR then RR');
  pair.b.send(Buffer.from('after busy'));
  pair.run(300);
  t.same(pair.receivedByA.map(String), ['after busy'], 'data flows again');
});
