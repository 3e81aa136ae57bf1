import t from 'tap';
import { createRig, echoCall, type ModemOnNet } from '../support/modem-rig.js';

function dropDtr(rig: ReturnType<typeof createRig>, m: ModemOnNet, ms: number): void {
  m.term.dte.setDte({ dtr: false });
  rig.clock.advance(ms);
  m.term.dte.setDte({ dtr: true });
}

t.test('&D0 ignores DTR', async (t) => {
  const { rig, m } = echoCall('AT&D0S0=1');
  dropDtr(rig, m, 1_000);
  t.equal(m.modem.state, 'online', 'still online');
  t.equal(m.term.take(), '', 'nothing reported');
});

t.test('&D1: DTR drop → online command state with OK, call kept', async (t) => {
  const { rig, m } = echoCall('AT&D1S0=1');
  dropDtr(rig, m, 100);
  t.equal(m.term.take(), '\r\nOK\r\n', 'OK');
  t.equal(m.modem.state, 'online-command', 'online command state');
  m.term.send('ATO\r');
  t.match(m.term.take(), /CONNECT/, 'ATO resumes the call');
});

t.test('&D2: DTR drop hangs up; a blip shorter than S25 is ignored', async (t) => {
  const { rig, m } = echoCall('AT&D2S0=1');
  dropDtr(rig, m, 40);
  t.equal(m.modem.state, 'online', 'a 40 ms blip (< S25 = 50 ms) does nothing');
  dropDtr(rig, m, 60);
  t.equal(m.term.take(), '\r\nNO CARRIER\r\n', 'hung up');
  t.equal(m.modem.state, 'command', 'command state');
  t.equal(m.term.dte.dceLines.dcd, false, 'DCD off');
});

t.test('&D2: auto-answer is disabled while DTR is off', async (t) => {
  const rig = createRig();
  const m = rig.addModem('0302', { echo: false });
  const caller = rig.addModem('0301', { echo: false });
  m.term.send('AT&D2S0=1\r');
  m.term.take();
  m.term.dte.setDte({ dtr: false });
  caller.term.send('ATD0302\r');
  rig.clock.advance(15_000);
  t.equal(m.modem.state, 'command', 'not answered while DTR is off');
  m.term.dte.setDte({ dtr: true });
});

t.test('&D3: DTR drop hangs up and resets to the stored profile', async (t) => {
  const { rig, m } = echoCall('AT&D3S0=1');
  t.equal(m.modem.settings.dtrMode, 3, '&D3 active');
  dropDtr(rig, m, 100);
  t.match(m.term.take(), /NO CARRIER/, 'hung up');
  t.equal(m.modem.settings.dtrMode, 2, 'reset to factory &D2');
  t.equal(m.modem.settings.echo, true, 'reset to factory E1');
});
