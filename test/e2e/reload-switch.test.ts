import t from 'tap';
import { firstLoginOverTcp, LAB_PBX_ID, runCliAsync, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * The reload switch of a PBX in a running `hicom-sim lab`, pressed with
 * `hicom-sim pbx reload ID` as a technician would: the open session drops,
 * the PBX greets as delivered (SERVICE / 31994, first login), the log of
 * before is still there and records the reload.
 */
t.test('hicom-sim pbx reload restores the delivered database of a running lab', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const lab = await startLab(t, files);
  const tech = await lab.connect();
  t.teardown(() => tech.close());
  await firstLoginOverTcp(tech, 'tech', 'techpw1');
  await tech.run('set station.105.name "Vor Reload"');
  t.ok((await tech.dialogue('pin set', [{ prompt: 'PIN: ', answer: '24680' }, { prompt: 'Repeat pin: ', answer: '24680' }])).ok, 'a PIN was set');

  const run = await runCliAsync(['pbx', 'reload', LAB_PBX_ID, '--config', files.configPath]);
  t.equal(run.status, 0, `the reload is accepted (stderr: ${run.stderr.trim()})`);
  t.match(run.stdout, new RegExp(`^PBX ${LAB_PBX_ID} reloaded: delivered database .*1 sessions dropped$`, 'm'), 'it says what happened');
  t.match(await tech.expect(/BYE [^\r\n]*\r?\n/), /BYE system restart \(reload switch\)/, 'the open session is dropped by the restart');

  const after = await lab.connect();
  t.teardown(() => after.close());
  const intro = await firstLoginOverTcp(after, 'tech2', 'techpw2');
  t.match(intro, /No users are set up in the system yet/, 'SERVICE with the default password starts the first login again');
  t.same((await after.run('get station.105.name')).lines, ['station.105.name = ""'], 'the KDS is the delivered one');
  t.equal((await after.run('kds show pin')).lines[0], 'pin = <default>', 'the PIN is back to the blocking default');
  const log = (await after.run('log show')).lines;
  t.ok(log.some((l) => /tech +S \(1\) STN-NAME 105 "Vor Reload"$/.test(l)), 'the entries of before the reload are still in the log');
  const reload = log.findIndex((l) => /system +- \(4\) Reload Datenbasis \(Reloadschalter\)$/.test(l));
  t.ok(reload > 0, 'the reload is recorded');
  t.match(log[reload + 1], /system +- \(5\) A2-3-"HE300M\.00\.001\.01"$/, 'followed by the startup');
});

t.test('hicom-sim pbx reload says clearly what is wrong', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const idle = await runCliAsync(['pbx', 'reload', LAB_PBX_ID, '--config', files.configPath]);
  t.equal(idle.status, 3, 'no lab running: exit 3');
  t.match(idle.stderr, /cannot reach the lab: .*switches\.sock: no running lab listens there/, 'and why');
  const lab = await startLab(t, files);
  const unknown = await runCliAsync(['pbx', 'reload', 'HSIM-NONE', '--state', files.stateDir]);
  t.equal(unknown.status, 2, 'an unknown PBX: exit 2 (bad input, docs/exit-codes.md)');
  t.match(unknown.stderr, new RegExp(`no PBX HSIM-NONE in this lab \\(${LAB_PBX_ID}\\)`), 'naming the PBXs there are');
  t.equal(await lab.stop(), 0, 'the lab stops normally after it');
});
