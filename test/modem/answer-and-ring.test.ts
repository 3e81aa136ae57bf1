import t from 'tap';
import { createRig } from '../support/modem-rig.js';
import { RING_OFF_MS, RING_ON_MS } from '../../src/network/exchange.js';

t.test('S0=3 answers after the third ring; RI follows the 1 s on / 4 s off cadence', async (t) => {
  const rig = createRig();
  const callee = rig.addModem('0302', { echo: false });
  const caller = rig.addModem('0301', { echo: false });
  callee.term.send('ATS0=3\r');
  callee.term.take();
  caller.term.send('ATD0302\r');
  rig.clock.advance(1_300 + 500 + 100); // dialing + post-dial delay, then 100 ms into the first ring
  t.equal(callee.term.take(), '\r\nRING\r\n', 'first RING');
  t.equal(callee.term.dte.dceLines.ri, true, 'RI on during the ring');
  rig.clock.advance(RING_ON_MS);
  t.equal(callee.term.dte.dceLines.ri, false, 'RI off in the pause');
  rig.clock.advance(RING_OFF_MS);
  t.equal(callee.term.take(), '\r\nRING\r\n', 'second RING 5 s after the first');
  t.equal(callee.modem.sRegisters.get(1), 2, 'S1 counts rings');
  rig.clock.advance(RING_ON_MS + RING_OFF_MS);
  t.equal(callee.term.take(), '\r\nRING\r\n', 'third RING, then answering');
  rig.clock.advance(10_000);
  t.equal(callee.term.take(), '\r\nCONNECT 14400/V42BIS\r\n', 'auto-answered');
  t.equal(caller.term.take(), '\r\nCONNECT 14400/V42BIS\r\n', 'caller connected');
  caller.term.send('ping');
  rig.clock.advance(100);
  t.equal(callee.term.take(), 'ping', 'data flows');
});

t.test('S0=0: no auto-answer; ATA answers; caller hang-up while ringing stops RING', async (t) => {
  const rig = createRig();
  const callee = rig.addModem('0302', { echo: false });
  const caller = rig.addModem('0301', { echo: false });
  caller.term.send('ATD0302\r');
  rig.clock.advance(30_000);
  t.equal(callee.term.take(), '\r\nRING\r\n'.repeat(6), 'six rings in 28 s, never answered');
  callee.term.send('ATA\r');
  rig.clock.advance(10_000);
  t.equal(callee.term.take(), '\r\nCONNECT 14400/V42BIS\r\n', 'ATA connected');
  caller.term.take();
  callee.term.send('ATH\r'); // in data mode: these bytes are data
  rig.clock.advance(2_000);
  t.equal(caller.term.take(), 'ATH\r', 'ATH in data mode is just data');
  const third = rig.addModem('0303', { echo: false });
  third.term.send('ATD0304\r');
  rig.clock.advance(5_000);
  t.equal(third.term.take(), '\r\nNO CARRIER\r\n', 'unassigned number');
});

t.test('ATA with nobody calling ends with NO CARRIER after S7; a key aborts it', async (t) => {
  const rig = createRig();
  const m = rig.addModem('0302', { echo: false });
  m.term.send('ATS7=5A\r');
  rig.clock.advance(4_900);
  t.equal(m.term.take(), '', 'still answering');
  rig.clock.advance(200);
  t.equal(m.term.take(), '\r\nNO CARRIER\r\n', 'NO CARRIER after S7');
  m.term.send('ATA\r');
  rig.clock.advance(1_000);
  m.term.send('x');
  t.equal(m.term.take(), '\r\nNO CARRIER\r\n', 'a key aborts at once');
});
