import t from 'tap';
import { cliCommand, runCli, startLab, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';
import { openModemAccess, writeModemLabConfig } from '../support/modem-lab.js';
import { join } from 'node:path';

/** The centre modem's number; the PBX dials it with the outside-line prefix 0. */
const CENTRE_NUMBER = '0899000';
/**
 * Real time: the first signaling call starts one interval (the minimum,
 * 1 min — spec §3.4) after the error; the rest is ringing, handshake and a
 * report of a few hundred bytes.
 */
const REPORT_DEADLINE_MS = 90_000;

/**
 * spec §3.4 with real processes: `hicom-sim lab` (files mode, real clock)
 * and `hicom-sim centre receive` on the lab's centre modem over a pty (a
 * socat virtual serial port the lab made, opened as `pty:PATH`). A
 * class-B error raised on the admin port is signaled to the centre, which
 * stores it in its database and acknowledges after the commit; the PBX
 * deletes it; `centre status` reads the database; SIGTERM ends the centre
 * (it used to print "centre stopped" and hang: the pty's SerialPort stayed open).
 */
t.test('a class-B error travels from the lab process to the centre process and into its database', async (t) => {
  const dir = tempDir(t, 'hicom-centre-e2e-');
  const files = await writeModemLabConfig(dir, [{ name: 'centre', number: CENTRE_NUMBER, bind: 'pty' }], { pacing: true });
  const lab = await startLab(t, files);
  const db = `sqlite:${join(dir, 'centre-db', 'centre.db')}`;

  const centre = new LineChild(...cliCommand(['centre', 'receive', '--modem', `pty:${files.modems.centre.pty}`, '--db', db, '-s', dir, '--log-level', 'warn']));
  t.teardown(async () => {
    if (centre.proc.exitCode === null && centre.proc.signalCode === null) centre.proc.kill('SIGKILL');
    await centre.exited;
  });
  t.match(await centre.expect(/^receiving on /, 20_000), /receiving on /, 'the centre put its modem into receive mode');

  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());
  await admin.run('signaling set enabled yes');
  await admin.run('signaling set interval 1');
  await admin.run(`callback number 1 0${CENTRE_NUMBER}`);
  await admin.run('errors raise B 0x0210 Trunk 3 no dial tone');
  const raisedAt = Date.now();

  const stored = await centre.expect(/^stored report \d+ of /, REPORT_DEADLINE_MS);
  t.match(stored, /^stored report 1 of HSIM-E2E1 \(1 errors\)/, 'the centre stored report 1 of the PBX with its one error');
  t.ok(Date.now() - raisedAt >= 55_000, 'not before the signaling interval of 1 min');

  // The PBX deletes what the centre acknowledged (it hangs up right after the ACK).
  let left = '';
  for (let k = 0; k < 50; k++) {
    left = (await admin.run('errors show B')).lines.join('\n');
    if (!/no dial tone/.test(left)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.notMatch(left, /no dial tone/, `the acknowledged error left the Error History: ${left}`);

  const status = runCli(['centre', 'status', '--db', db, '-s', dir]);
  t.equal(status.status, 0, `centre status exits 0: ${status.stderr}`);
  t.match(status.stdout, /^HSIM-E2E1\s+1\s+1\s/m, 'centre status lists the PBX with one report and one error');

  centre.proc.kill('SIGTERM');
  t.equal(await centre.exited, 0, 'the centre stops cleanly on SIGTERM');
  t.equal(await lab.stop(), 0, 'the lab stops cleanly on SIGTERM');
});
