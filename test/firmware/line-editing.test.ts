import t from 'tap';
import { AdminTerminal } from '../support/pbx-harness.js';
import { loginAs, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

t.test('backspace, DEL and Ctrl-U edit the line', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  t.equal(serv.cmd('set station.101.name Meyx\ber').status, 'OK', 'backspace');
  t.equal(pbx.kds.get('station.101.name'), 'Meyer', 'BS removed one character');
  serv.cmd('set station.101.name Mai\x7f\x7fuller');
  t.equal(pbx.kds.get('station.101.name'), 'Muller', 'DEL removed two');
  serv.cmd('garbage here\x15set station.101.name Müller');
  t.equal(pbx.kds.get('station.101.name'), 'Müller', 'Ctrl-U removed the whole line');
  const echo = new AdminTerminal(pbx, { echo: true });
  echo.login(SERV.name, SERV.password);
  echo.take();
  echo.send('ab\b');
  t.equal(echo.take(), 'ab\b \b', 'backspace is echoed as erase');
  echo.send('\b\b\b\b');
  t.equal(echo.take(), '\b \b', 'nothing to erase: no echo');
});

t.test('CR, LF and CR LF each end one line', async (t) => {
  const { pbx } = pbxWithUsers();
  for (const [name, end] of [['CR', '\r'], ['LF', '\n'], ['CR LF', '\r\n']]) {
    const term = loginAs(pbx, SERV);
    term.take();
    term.send(`show display${end}show display${end}`);
    const out = term.take();
    t.equal(out.match(/OK\r\n/g)?.length, 2, `${name}: two commands, two OKs`);
    t.notMatch(out, /ERROR/, `${name}: no empty or broken lines`);
  }
  const term = loginAs(pbx, SERV);
  term.take();
  term.send('show display\r');
  term.send('\nshow display\r');
  t.equal(term.take().match(/OK\r\n/g)?.length, 2, 'CR and LF in separate chunks are still one line end');
});

t.test('input split at every byte boundary gives the same transcript', async (t) => {
  const script = Buffer.from('serv\r\nservpw\r\nset station.101.name "Jürgen Müß"\r\nget station.101.name\nsignaling set interval 0\rshow rights\r\nlogout\r\n', 'utf8');
  const run = (chunks: Buffer[]): string => {
    const { pbx } = pbxWithUsers();
    const term = new AdminTerminal(pbx);
    term.take();
    for (const c of chunks) term.dte.write(c);
    return term.take();
  };
  const whole = run([script]);
  t.match(whole, /station\.101\.name = "Jürgen Müß"/, 'the unsplit script works, umlauts included');
  t.match(whole, /the default 15 was set/, 'all commands ran');
  let same = 0;
  for (let i = 1; i < script.length; i++) {
    if (run([script.subarray(0, i), script.subarray(i)]) === whole) same++;
  }
  t.equal(same, script.length - 1, `all ${script.length - 1} two-piece splits give the same transcript`);
  const bytewise = [...script].map((b) => Buffer.from([b]));
  t.equal(run(bytewise), whole, 'one byte at a time gives the same transcript');
});
