import t from 'tap';
import { linearToAlaw } from '../../dsp/g711.js';
import { DLE, ETX } from '../../modem/voice-mode.js';
import { createRig } from '../support/modem-rig.js';
import { VoiceListener } from '../support/voice-rig.js';

t.test('a key while a voice dial waits for VCON hangs the call up: NO CARRIER, the network releases it', async (t) => {
  const rig = createRig();
  const caller = rig.addModem('11', { echo: false });
  const callee = rig.addModem('22', { echo: false });
  caller.term.send('AT+FCLASS=8\rATD22\r');
  rig.clock.advance(5_000);
  t.match(callee.term.take(), /RING/, 'the callee rings');
  t.equal(caller.term.take(), '\r\nOK\r\n', 'only the +FCLASS OK so far: the dial waits for the answer');
  caller.term.send('x');
  t.equal(caller.term.take(), '\r\nNO CARRIER\r\n', 'the key aborts the dial');
  t.equal(rig.exchange.activeCalls, 0, 'the voice call is released, not left ringing');
  rig.clock.advance(20_000);
  t.equal(callee.term.take(), '', 'no more rings at the callee');
  caller.term.send('ATD22\r');
  rig.clock.advance(5_000);
  t.match(callee.term.take(), /RING/, 'the caller can dial again at once');
});

t.test('+VTX samples written together with the command line are played, not read as commands', async (t) => {
  const rig = createRig();
  const node = rig.exchange.addPbx({ id: 'T', trunkNumbers: ['0301234'], trunkKind: 'analog' });
  const listener = new VoiceListener();
  node.addPort('20', listener);
  const m = rig.addModem('0401000', { echo: false });
  m.term.send('AT+FCLASS=8\rATD030123420\r');
  rig.clock.advance(5_000);
  t.match(m.term.take(), /VCON/, 'voice call up');
  // "AT" as A-law samples: a command reader would take them for a command line.
  const samples = [0x41, 0x54, 0x0d, linearToAlaw(1000)];
  m.term.dte.write(Buffer.concat([Buffer.from('AT+VTX\r', 'latin1'), Buffer.from([...samples, DLE, ETX])]));
  rig.clock.advance(100);
  t.match(m.term.take(), /^\r\nCONNECT\r\n\r\nOK\r\n$/, 'CONNECT, then OK at DLE ETX and nothing else');
  t.equal(listener.heard.length, samples.length, 'every byte after the command line was a sample');
});
