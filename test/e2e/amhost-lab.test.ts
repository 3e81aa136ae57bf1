import t from 'tap';
import { EXIT } from '../../src/exit-codes.js';
import { firstLoginOverTcp, LAB_IMOD_NUMBER, runCliAsync, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * A plus product on a running lab, locally on the V.24 port and remotely
 * through the IMOD (seed: "remote oder lokal"): AMHOST logs in, checks a
 * guest in; the revisor's log shows every change under amhost.
 */
t.test('a plus product checks a guest in through AMHOST on a running lab, locally and through the IMOD', async (t) => {
  const files = await writeLabConfig(tempDir(t), { modem: true });
  const lab = await startLab(t, files);
  const tech = await lab.connect();
  t.teardown(() => tech.close());
  await firstLoginOverTcp(tech, 'tech', 'techpw1');
  t.ok((await tech.dialogue('pin set', [{ prompt: 'PIN: ', answer: '24680' }, { prompt: 'Repeat pin: ', answer: '24680' }])).ok, 'the customer opens the modems with a PIN');
  await tech.run('logout');
  const welcome = await tech.login('AMHOST', 'amhost');
  t.match(welcome.lines.join('\n'), /Welcome AMHOST \(no circle\)/, 'AMHOST logs in with its delivered password');
  t.same((await tech.run('set station.104.name "Gast Weber"')).lines, ['station.104.name = "Gast Weber"'], 'the guest name is set');
  t.same((await tech.run('set station.104.code-lock no')).lines, ['station.104.code-lock = "no"'], 'the room phone is unlocked');
  t.equal((await tech.command('set c1.system-name Hotel')).code, 403, 'system data stays out of reach');
  await tech.run('logout');

  const remote = await runCliAsync(
    ['assistant', '--modem', `tcp:127.0.0.1:${files.modemPort}`, '--dial', LAB_IMOD_NUMBER, '--pin', '24680', '-e', 'set station.105.name "Gast Roth"', '-e', 'set c1.system-name Hotel'],
    { env: { HICOM_USER: 'AMHOST', HICOM_PASSWORD: 'amhost' }, timeoutMs: 90_000 },
  );
  t.match(remote.stdout, /station\.105\.name = "Gast Roth"\r?\nOK/, `through the IMOD the plus product sets the next guest's name (stderr: ${remote.stderr.trim()})`);
  t.equal(remote.status, EXIT.failed, 'and is refused system data there too (a command answered ERROR)');
  t.match(remote.stdout, /ERROR 403 missing right: write system data/, 'saying which right it lacks');

  await tech.login('tech', 'techpw1');
  const log = (await tech.run('log show last 12')).lines.join('\n');
  t.match(log, /amhost +- \(1\) STN-NAME 104 "Gast Weber"/, 'the local change is in the protocol log under amhost');
  t.match(log, /amhost +- \(1\) STN-LOCK 104 "no"/, 'so is the unlock');
  t.match(log, /amhost +- \(1\) STN-NAME 105 "Gast Roth"/, 'and the remote change');
  t.equal((log.match(/amhost +- \(3\) A0-1/g) ?? []).length, 2, 'two AMHOST logins, the local and the remote one');
});
