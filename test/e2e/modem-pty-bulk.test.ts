import t from 'tap';
import { echoPump, expectText } from '../support/echo-pump.js';
import { startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';
import { openTty } from '../support/tty-client.js';

/**
 * Bulk data both ways through a modem on a pty (issue 20): the built CLI's
 * lab with the technician modem on `pty:`, a terminal program on the link,
 * dialled to the echo test line, and 4 MiB pushed with 64 KiB in flight
 * (the benchmark's window, far more than a pty buffers). Every byte must
 * come back, in order, and the modem must still answer afterwards.
 */
const TOTAL = 4 * 1024 * 1024;
const WINDOW = 64 * 1024;

t.test('4 MiB echoed through a modem on a pty with a 64 KiB window: nothing stalls, nothing is lost', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [{ name: 'tech', number: '0897000', bind: 'pty' }]);
  await startLab(t, files);
  const tty = openTty(files.modems.tech.pty!);
  t.teardown(() => tty.destroy());
  tty.write('ATE0\r');
  await expectText(tty, 'OK\r\n', 10_000);
  tty.write('ATDT0800100\r');
  // expectText rejects (and so fails the test) when the text does not come.
  await expectText(tty, 'CONNECT 14400/V42BIS\r\n', 20_000);
  const outcome = await echoPump(tty, { total: TOTAL, window: WINDOW, stallMs: 20_000, verify: true }).then(
    () => 'every byte back, in order',
    (err: Error) => err.message,
  );
  t.equal(outcome, 'every byte back, in order', '4 MiB through the modem and back on the pty');
  await new Promise((r) => setTimeout(r, 1100));
  tty.write('+++');
  const escaped = await expectText(tty, 'OK\r\n', 5_000);
  t.equal(escaped, '+++\r\nOK\r\n', 'the escape still works after the transfer (the pluses echoed as data, then OK)');
  tty.write('ATH\r');
  t.equal(await expectText(tty, 'OK\r\n', 5_000), '\r\nOK\r\n', 'ATH hangs up');
});
