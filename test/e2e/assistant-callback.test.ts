import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EXIT } from '../../src/exit-codes.js';
import { firstLoginOverTcp, freePort, runCli, startLab, tempDir } from '../support/lab-child.js';

/**
 * `hicom-sim assistant --callback`: the technician dials the IMOD, asks for
 * callback index 1 with its code, the PBX hangs up and calls the
 * technician's modem back 10 s later (spec §3.3); the assistant answers
 * the RING, logs in and runs its commands. A wrong code is refused.
 */
const PBX = 'HSIM-CB01';
const ENV = { HICOM_USER: 'tech', HICOM_PASSWORD: 'techpw1' };

t.test('callback through the assistant: request, hang-up, RING, answer, login', async (t) => {
  const dir = tempDir(t, 'hicom-callback-');
  const port = await freePort();
  const modemPort = await freePort();
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(
    configPath,
    stringify({
      stateDir: join(dir, 'state'),
      pacing: false,
      pbxs: [{ id: PBX, type: 'OfficePro', trunks: ['0301234'], adminPorts: [{ bind: `tcp:127.0.0.1:${port}` }] }],
      modems: [{ name: 'tech', number: '0897000', bind: `tcp:127.0.0.1:${modemPort}`, profile: 'analog' }],
    }),
  );
  const lab = await startLab(t, { dir, configPath, stateDir: join(dir, 'state'), statePath: join(dir, 'state', PBX, 'pbx.json'), port });
  const admin = await lab.connect();
  t.teardown(() => admin.close());
  await firstLoginOverTcp(admin, 'tech', 'techpw1');
  t.ok((await admin.dialogue('pin set', [{ prompt: 'PIN: ', answer: '13579' }, { prompt: 'Repeat pin: ', answer: '13579' }])).ok, 'the PIN opens the modem');
  t.ok((await admin.command('callback number 1 00897000')).ok, "index 1 calls the technician's modem (outside-line prefix 0)");
  t.ok((await admin.dialogue('callback code 1', [{ prompt: 'Code: ', answer: '4711' }, { prompt: 'Repeat code: ', answer: '4711' }])).ok, 'with code 4711');

  const modem = ['--modem', `tcp:127.0.0.1:${modemPort}`, '--dial', '0301234791'];
  const wrong = runCli(['assistant', ...modem, '--callback', '1', '--code', '9999', '-e', 'show system'], { env: ENV, timeoutMs: 60_000 });
  t.equal(wrong.status, EXIT.access, `a wrong code is refused with exit ${EXIT.access} (${wrong.stderr.trim()})`);

  const started = Date.now();
  const ok = runCli(['assistant', ...modem, '--callback', '1', '--code', '4711', '-e', 'show system'], { env: ENV, timeoutMs: 90_000 });
  t.equal(ok.status, EXIT.ok, `the callback connects and the command runs (${ok.stderr.trim()})`);
  t.match(ok.stderr, /callback 1 registered/, 'the assistant reports the registration');
  t.match(ok.stdout, /you: tech \(system-maintenance\) via imod/, 'the session runs over the IMOD call the PBX placed');
  t.ok(Date.now() - started >= 10_000, 'the PBX called back no earlier than 10 s after the request');

  const log = (await admin.run('log show')).lines.join('\n');
  t.match(log, /A0-3/, 'the wrong code was logged as an unauthorized attempt');
  t.match(log, /tech +S \(3\) A0-1/, 'the login after the callback is logged');
});
