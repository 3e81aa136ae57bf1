import t from 'tap';
import { createRig } from '../support/modem-rig.js';
import { installTestLines } from '../../src/network/test-lines.js';
import { SeededRandom } from '../../core/seeded-random.js';

const ALPHABET = 'AT&+=?;,SDEVQXHZIOCW0123456789 "\\%/!@abcdxyz\x08';
const RESULT = /(?:\r\n(?:OK|ERROR|NO CARRIER|NO DIALTONE|BUSY|NO ANSWER|CONNECT[^\r]*)\r\n)/g;

t.test('1,000,000 fuzzed AT lines: a result code for every line, state intact', async (t) => {
  const rig = createRig();
  const m = rig.addModem('01', { echo: false });
  // Keep the fuzz on the command interpreter: no dialing out, no profile changes that silence results.
  for (const name of ['D', 'A', 'Z', '&F', 'Q', 'V', '&D', 'O', '&W', 'E', 'I', '&V']) m.modem.registerCommand({ name, handler: () => 'ok' });
  const random = new SeededRandom(2026);
  const N = 1_000_000;
  const BATCH = 10_000;
  let results = 0;
  let lines = 0;
  for (let b = 0; b < N / BATCH; b++) {
    let chunk = '';
    for (let i = 0; i < BATCH; i++) {
      let body = '';
      const len = random.int(12);
      for (let k = 0; k < len; k++) body += ALPHABET[random.int(ALPHABET.length)];
      // S3/S4/S5 would change line framing itself (spaces are ignored, so "S 0 3=" counts).
      chunk += `AT${body.replace(/S[ 0]*[345] *=/g, 'S7=')}\r`;
    }
    lines += BATCH;
    m.term.dte.write(Buffer.from(chunk, 'latin1'));
    results += (m.term.take().match(RESULT) ?? []).length;
    // Other registers may change (S2, S12 …): restore defaults each batch.
    m.modem.sRegisters.reset();
  }
  t.equal(lines, N, 'a million lines sent');
  t.equal(results, N, 'exactly one final result per line');
  m.term.send('AT\r');
  t.equal(m.term.take(), '\r\nOK\r\n', 'modem still answers');
  t.equal(m.modem.state, 'command', 'still in command state');
});

t.test('random bytes in command mode and data mode: no crash, modem recovers', async (t) => {
  const rig = createRig();
  const tl = installTestLines(rig.exchange);
  const m = rig.addModem('01', { echo: false });
  const random = new SeededRandom(7);
  const noise = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => random.int(256));
  for (let i = 0; i < 200; i++) m.term.dte.write(noise(1 + random.int(64)));
  m.modem.sRegisters.reset();
  m.modem.settings.quiet = false;
  m.modem.settings.verbose = true;
  m.term.send('\rATE0\r');
  m.term.take();
  m.term.send('AT\r');
  t.equal(m.term.take(), '\r\nOK\r\n', 'command mode survives random bytes');
  m.term.send(`ATD${tl.echo}\r`);
  rig.clock.advance(20_000);
  t.match(m.term.take(), /CONNECT 14400\/V42BIS/, 'connects after the noise');
  let sent = 0;
  for (let i = 0; i < 100; i++) {
    const chunk = noise(100).map((b) => (b === 43 ? 42 : b)); // no '+' so no accidental escape
    sent += chunk.length;
    m.term.dte.write(chunk);
    rig.clock.advance(10);
  }
  rig.clock.advance(20_000);
  t.equal(m.term.take().length, sent, 'binary garbage after CONNECT is data: all echoed back');
  rig.clock.advance(1_000);
  m.term.send('+++');
  rig.clock.advance(1_000);
  t.equal(m.term.take(), '+++\r\nOK\r\n', 'escape still works');
  m.term.send('ATH\r');
  t.equal(m.term.take(), '\r\nOK\r\n', 'hangs up');
});
