import t from 'tap';
import { echoCall } from '../support/modem-rig.js';

t.test('+++ with 1 s guard before and after escapes; ATO returns; ATH hangs up', async (t) => {
  const { rig, m } = echoCall();
  rig.clock.advance(1_000);
  m.term.send('+++');
  rig.clock.advance(999);
  t.equal(m.term.take(), '+++', 'the pluses are data (echoed back) and no OK before the guard time');
  rig.clock.advance(1);
  t.equal(m.term.take(), '\r\nOK\r\n', 'OK after the trailing guard time');
  t.equal(m.modem.state, 'online-command', 'online command state');
  t.equal(m.term.dte.dceLines.dcd, true, 'carrier still up');
  m.term.send('ATO\r');
  t.equal(m.term.take(), '\r\nCONNECT 14400/V42BIS\r\n', 'ATO reports CONNECT');
  m.term.send('data');
  rig.clock.advance(100);
  t.equal(m.term.take(), 'data', 'online again');
  rig.clock.advance(1_000);
  m.term.send('+++');
  rig.clock.advance(1_000);
  m.term.take();
  m.term.send('ATH\r');
  t.equal(m.term.take(), '\r\nOK\r\n', 'ATH hangs up');
  t.equal(m.term.dte.dceLines.dcd, false, 'DCD off');
  m.term.send('ATO\r');
  t.equal(m.term.take(), '\r\nERROR\r\n', 'ATO without a call');
});

t.test('+++ is not an escape without the guard time or with data after it', async (t) => {
  const { rig, m } = echoCall();
  rig.clock.advance(100);
  m.term.send('x+++');
  rig.clock.advance(3_000);
  t.equal(m.term.take(), 'x+++', 'no leading guard time: data only');
  m.term.send('+++y');
  rig.clock.advance(3_000);
  t.equal(m.term.take(), '+++y', 'a byte inside the trailing guard cancels the escape');
  m.term.send('++');
  rig.clock.advance(1_100);
  m.term.send('+');
  rig.clock.advance(3_000);
  t.equal(m.term.take(), '+++', 'pluses more than S12 apart do not count');
  m.term.send('ATS12=10\r'); // still data
  rig.clock.advance(1_000);
  m.term.take();
  t.equal(m.modem.state, 'online', 'still online');
});

t.test('S12 and S2 change the escape; S2>127 disables it', async (t) => {
  const { rig, m } = echoCall();
  rig.clock.advance(1_000);
  m.term.send('+++');
  rig.clock.advance(1_000);
  m.term.take();
  m.term.send('ATS12=10S2=126O\r');
  m.term.take();
  rig.clock.advance(200);
  m.term.send('~~~');
  rig.clock.advance(200);
  t.equal(m.term.take(), '~~~\r\nOK\r\n', '~~~ with a 200 ms guard escapes');
  m.term.send('ATS2=200O\r');
  m.term.take();
  rig.clock.advance(2_000);
  m.term.send('+++');
  rig.clock.advance(2_000);
  t.equal(m.term.take(), '+++', 'escape disabled');
});
