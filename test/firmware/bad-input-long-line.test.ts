import t from 'tap';
import { AdminTerminal } from '../support/pbx-harness.js';
import { pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/** The longest line docs/session-protocol.md promises. */
const MAX_LINE = 1024;

t.test('a 100,000-character line: ERROR 413, the next command works', async (t) => {
  const { pbx, log } = pbxWithUsers();
  const term = new AdminTerminal(pbx);
  const huge = `set station.101.name ${'x'.repeat(100_000)}`;
  term.take();
  term.send(`${'y'.repeat(100_000)}\r`);
  t.match(term.take(), new RegExp(`ERROR 413 line too long \\(100000 characters; at most ${MAX_LINE}\\)`), 'at User:, a clear 413');
  t.match(term.login(SERV.name, SERV.password), /Welcome serv/, 'then a normal login works (the long name was not taken as a user name)');
  const mark = log.lastSeq();
  const out = term.cmd(huge);
  t.match(out.status, /^ERROR 413 line too long \(100021 characters; at most 1024\)/, 'a clear 413 with the length');
  t.equal(log.lastSeq(), mark, 'nothing was logged');
  t.equal(pbx.kds.get('station.101.name'), '', 'nothing was changed');
  t.equal(term.cmd('show system').status, 'OK', 'the next command works');
  const exact = `set c5.rule.1 ${'1'.repeat(MAX_LINE - 'set c5.rule.1 '.length)}`;
  t.equal(exact.length, MAX_LINE, 'a line of exactly the maximum');
  t.match(term.cmd(exact).status, /^ERROR 422 c5.rule.1: at most 20 characters/, 'is read and checked normally');
  term.send('\x15');
  t.match(term.cmd(`${'z'.repeat(MAX_LINE + 1)}`).status, /^ERROR 413/, 'one character over the maximum: 413');
});
