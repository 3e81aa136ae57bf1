import t from 'tap';
import { SessionClient } from '../../src/clients/session-client.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab } from '../support/control-lab.js';
import { firstLoginOverTcp } from '../support/lab-child.js';

/** The TCP port of an admin port as `hicom-sim lab` prints it (V.24, or the Assistant T of a station). */
function adminPort(banner: string, which: RegExp): number {
  const line = banner.split('\n').find((l) => /admin port: tcp /.test(l) && which.test(l));
  const port = line && /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`no such admin port in the banner:\n${banner}`);
  return Number(port);
}

/**
 * The code lock on the embedded default lab, both ways, as the customer and a
 * rig see it: locked, station 100 cannot dial out (its keypad, through the
 * control port), yet Assistant T on that station logs in; unlocked, both work.
 */
t.test('code lock: a locked station cannot dial out, administration logs in regardless', async (t) => {
  const lab = await startControlLab(t);
  const control = await ControlTestClient.connect(lab.address);
  t.teardown(() => control.close());
  const v24 = await SessionClient.connectTcp('127.0.0.1', adminPort(lab.banner, /V\.24 service port/));
  t.teardown(() => v24.close());
  await firstLoginOverTcp(v24, 'tech', 'techpw1');
  await v24.run('set dtmf.active yes');

  for (const locked of [true, false]) {
    const state = locked ? 'locked' : 'unlocked';
    await v24.run(`set station.100.code-lock ${locked ? 'yes' : 'no'}`);
    const display = (await control.ok('device.press', { device: 'HSIM-0001:100', keys: '*9960301234795#' })) as { display: string[] };
    if (locked) t.same(display.display, ['DTMF remote refused', 'code lock on'], `${state}: station 100 cannot dial out, and its display says why`);
    else t.equal(display.display[0], 'DTMF remote: dialling', `${state}: station 100 dials out`);
    const terminal = await SessionClient.connectTcp('127.0.0.1', adminPort(lab.banner, /Assistant T, station 100/));
    const welcome = await terminal.login('tech', 'techpw1');
    t.match(welcome.lines.join('\n'), /Welcome tech \(system-maintenance\)/, `${state}: Assistant T on station 100 logs in`);
    await terminal.command('logout');
    terminal.close();
  }
});
