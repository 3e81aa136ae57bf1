import t from 'tap';
import { createRig } from '../support/modem-rig.js';
import { installTestLines } from '../../src/network/test-lines.js';

/** Time from ATD until the callee's first RING, which shows how long dialing took. */
function timeToRing(dial: string, setup = ''): number {
  const rig = createRig();
  const callee = rig.addModem('22', { echo: false });
  const caller = rig.addModem('11', { echo: false });
  if (setup) caller.term.send(`AT${setup}\r`);
  caller.term.send(`ATD${dial}\r`);
  for (let ms = 0; ms < 60_000; ms += 10) {
    rig.clock.advance(10);
    if (callee.term.peek().includes('RING')) return ms + 10;
  }
  return -1;
}

t.test('dial timing: tone, pulse, comma (S8), blind dialing (S6)', async (t) => {
  const tone = timeToRing('T22');
  t.equal(tone, 300 + 2 * 190 + 500, 'tone: dial-tone detection + 2 digits × 2×S11 + post-dial delay');
  t.equal(timeToRing('P22'), 300 + 2 * 900 + 500, 'pulse: 2 pulses + 700 ms gap per digit');
  t.equal(timeToRing('T2,2'), tone + 2000, 'comma adds S8 = 2 s');
  t.equal(timeToRing('T2,2', 'S8=5'), tone + 5000, 'S8=5 makes it 5 s');
  t.equal(timeToRing('T2W2'), tone + 300, 'W waits for dial tone');
  t.equal(timeToRing('T22', 'X3'), 2000 + 2 * 190 + 500, 'X3 dials blind after S6 = 2 s');
  t.equal(timeToRing('T(2)-2 x'), tone, 'punctuation and unknown characters are ignored');
});

t.test('; returns to command state after dialing; ATH ends that call', async (t) => {
  const rig = createRig();
  installTestLines(rig.exchange);
  const m = rig.addModem('11', { echo: false });
  const callee = rig.addModem('22', { echo: false });
  m.term.send('ATD22;\r');
  rig.clock.advance(2_000);
  t.equal(m.term.take(), '\r\nOK\r\n', 'OK after dialing');
  rig.clock.advance(1_000);
  t.match(callee.term.take(), /RING/, 'the callee rings');
  m.term.send('ATH\r');
  t.equal(m.term.take(), '\r\nOK\r\n', 'hung up');
  rig.clock.advance(10_000);
  t.equal(callee.term.take(), '', 'no more rings');
});

t.test('a key while dialing aborts with NO CARRIER; CR/LF after the line do not', async (t) => {
  const rig = createRig();
  const tl = installTestLines(rig.exchange);
  const m = rig.addModem('11', { echo: false });
  m.term.send(`ATD${tl.noAnswer}\r\n`);
  rig.clock.advance(5_000);
  t.equal(m.term.take(), '', 'LF did not abort');
  m.term.send(' ');
  t.equal(m.term.take(), '\r\nNO CARRIER\r\n', 'space aborted');
  t.equal(rig.exchange.activeCalls, 0, 'the network released the call');
});

t.test('a modem without a line reports NO DIALTONE', async (t) => {
  const { VirtualClock } = await import('../../core/clock.js');
  const { createLinePair } = await import('../../src/adapters/line-pair.js');
  const { HayesModem } = await import('../../modem/hayes-modem.js');
  const { Terminal } = await import('../support/terminal.js');
  const clock = new VirtualClock(0);
  const pair = createLinePair();
  new HayesModem({ clock, dte: pair.dce });
  const term = new Terminal(pair.dte, { chunk: 1 });
  term.send('ATE0D123\r');
  clock.advance(10_000);
  t.equal(term.take(), 'ATE0D123\r\r\nNO DIALTONE\r\n', 'no line attached');
});
