import t from 'tap';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { ACTIVE_CODE } from '../../firmware-sim/dtmf-admin/source-station.js';
import { KeypadLine } from '../support/keypad-line.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * A person at station 100 of a running lab (`keypads:` in the PBX's
 * configuration, docs/dtmf-admin.md "At a station in the lab"): keys
 * `*996` + the DTMF administration number + `#`, and the station dials it;
 * the keys after it travel as DTMF audio over the voice call, and the
 * station's display mirrors the target's menu as it changes, unasked:
 * enable with `*995` + password, log in with multi-tap letters, log out.
 */
t.test('active DTMF remote administration from a station keypad line of a running lab', async (t) => {
  const files = await writeLabConfig(tempDir(t), { keypads: ['100'] });
  const lab = await startLab(t, files);
  t.match(lab.banner, new RegExp(`station 100 keypad and display: tcp 127\\.0\\.0\\.1:${files.keypadPorts!['100']}`), 'the banner says where the keypad line is');

  const v24 = await lab.connect();
  t.teardown(() => v24.close());
  await firstLoginOverTcp(v24, 'TECH', 'TECH1');
  for (const cmd of ['set dtmf.active yes', 'set dtmf.passive yes']) t.ok((await v24.command(cmd)).ok, cmd);
  const pw = await v24.dialogue('dtmf password', [{ prompt: 'Password: ', answer: '246810' }, { prompt: 'Repeat password: ', answer: '246810' }]);
  t.ok(pw.ok, `DTMF password set (${pw.message})`);

  const station = await KeypadLine.open(files.keypadPorts!['100']);
  t.teardown(() => station.socket.destroy());
  t.match(station.greeting, /hicom-sim station 100 of HSIM-E2E1 \(optiset-e-\w+\); type help/, 'the line names the station and its device');
  t.match(station.greeting, /\|Hicom OfficePro\s*\|/, 'the idle display shows the system name, as every admin station does');

  t.match(await station.cmd('keys 12x'), /^keys 12x\r\nERROR 400 usage: keys <0-9\*#>\r\n$/, 'a key the keypad lacks is refused, nothing pressed');
  /** Press keys; the display they lead to comes in the reply or, when the call carries the tones later, shown unasked after it. */
  const keys = async (k: string, screen: RegExp, what: string): Promise<string> => {
    const reply = await station.cmd(`keys ${k}`);
    return screen.test(reply) ? reply : reply + await station.until(screen, what, 15_000);
  };
  t.match(await keys(`${ACTIVE_CODE}00301234795#`, /\*995 \+ password \+ #/, 'the answer'), /\|DTMF remote admin\s*\|/, '*996 + number + # dials the DTMF administration port; it answers and waits for the enable code');
  t.match(await keys(`${ENABLE_CODE}246810#`, /Name: _/, "the target's login screen"), /\|DTMF admin OfficePro\s*\|/, "the password went out as DTMF and the display mirrors the target's login screen");
  t.match(await keys(multiTapKeys('TECH'), /Password: _/, 'the password prompt'), /\|Name: TECH\s*\|/, 'the name, keyed in multi-tap letters, is taken');
  t.match(await keys(multiTapKeys('TECH1'), /1Stn 2KDS 3Err 0Logout/, 'the main menu'), /\|Main TECH \(S\)\s*\|/, 'logged in at the target: its main menu on the station display');
  t.match(await keys('0', /DTMF remote ended/, 'the end of the call'), /\|call ended\s*\|/, 'key 0 logs out at the target, which ends the call; the station display says so');

  const log = (await v24.run('log show')).lines.join('\n');
  t.match(log, /A0-1/, 'the target logged the DTMF login (A0-1)');
  t.equal(await lab.stop(), 0, 'the lab stops cleanly');
});
