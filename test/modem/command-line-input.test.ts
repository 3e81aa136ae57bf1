import t from 'tap';
import { createRig } from '../support/modem-rig.js';
import { AT_LINE_MAX } from '../../modem/at-line-reader.js';

t.test('prefix rules: AT and at, not At/aT; bytes before the prefix are ignored', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send('at\r');
  t.equal(term.take(), '\r\nOK\r\n', 'lower-case at works');
  term.send('xyzAT\r');
  t.equal(term.take(), '\r\nOK\r\n', 'garbage before AT is skipped');
  term.send('At\rAT\r');
  t.equal(term.take(), '\r\nOK\r\n', 'mixed-case At is not a prefix: only the second line answers');
});

t.test('echo follows E, byte by byte, with awkward splits', async (t) => {
  const { term } = createRig().addModem('01');
  term.send('ATE1\r', 3);
  t.equal(term.take(), 'ATE1\r\r\nOK\r\n', 'echo then result');
  term.send('ATE0\r', 2);
  t.equal(term.take(), 'ATE0\r\r\nOK\r\n', 'the E0 line itself is echoed');
  term.send('AT\r');
  t.equal(term.take(), '\r\nOK\r\n', 'no echo after E0');
});

t.test('backspace (S5) edits the line; changing S5 and S3 takes effect', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send('ATE9\bE0\r');
  t.equal(term.take(), '\r\nOK\r\n', 'E9 was edited away');
  term.send('ATS5=127\r');
  term.take();
  term.send('ATQ5\x7f0\r');
  t.equal(term.take(), '\r\nOK\r\n', 'DEL works as backspace after S5=127');
  term.send('ATS3=33\r');
  t.equal(term.take(), '!\nOK!\n', 'results framed with the new S3');
  term.send('AT!');
  t.equal(term.take(), '!\nOK!\n', '! now ends the line');
});

t.test('A/ repeats the last line without CR', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send('ATS7?\r');
  t.equal(term.take(), '\r\n050\r\n\r\nOK\r\n', 'S7 read');
  term.send('A/');
  t.equal(term.take(), '\r\n050\r\n\r\nOK\r\n', 'A/ ran it again');
});

t.test('over-long lines answer ERROR and the modem keeps working', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send(`AT${'E0'.repeat(AT_LINE_MAX)}\r`, 7);
  t.equal(term.take(), '\r\nERROR\r\n', 'too long → ERROR');
  term.send(`AT${'E0'.repeat(AT_LINE_MAX / 2 - 1)}\r`, 5);
  t.equal(term.take(), '\r\nOK\r\n', 'a line just under the limit is fine');
});

t.test('V.250 §5.6: the commands before the one in error run, those after it do not', async (t) => {
  const { term, modem } = createRig().addModem('01', { echo: false });
  term.send('ATS7=30X3!S8=9\r');
  t.equal(term.take(), '\r\nERROR\r\n', "'!' is no command: ERROR");
  t.equal(modem.sRegisters.get(7), 30, 'S7=30 before the bad character ran');
  t.equal(modem.settings.xLevel, 3, 'X3 before the bad character ran');
  t.equal(modem.sRegisters.get(8), 2, 'S8=9 after it did not');
  term.send('ATS7=40+MS?E1\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'a malformed extended command answers ERROR only, no +MS: text');
  t.equal(modem.sRegisters.get(7), 40, 'S7=40 before it ran');
  t.equal(modem.settings.echo, false, 'E1 glued to it did not run');
  term.send('ATX2X9S7=20\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'X9 is out of range: ERROR');
  t.equal(modem.settings.xLevel, 2, 'X2 before it ran');
  t.equal(modem.sRegisters.get(7), 40, 'S7=20 after it did not');
  term.send('ATE0&Q\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'an unknown command answers ERROR');
  term.send('AT\r');
  t.equal(term.take(), '\r\nOK\r\n', 'a line of only AT answers OK, the modem is fine');
});
