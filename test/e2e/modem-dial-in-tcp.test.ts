import t from 'tap';
import { startLab, tempDir } from '../support/lab-child.js';
import { IMOD_NUMBER, modemTerminal, openModemAccess, PIN, TECH, writeModemLabConfig, X75_NUMBER } from '../support/modem-lab.js';

/**
 * `hicom-sim lab` in real time, a technician dialling in over a plain TCP
 * socket to each of the PBX's two modems: the analog modem to the IMOD
 * (CONNECT 14400/V42BIS) and the ISDN terminal adapter with AT+BX75 to the
 * X.75 B-channel modem (CONNECT 64000/X75); PIN, login, a change, hang-up.
 */
t.test('dial-in over TCP to the IMOD and, with AT+BX75, to the X.75 modem', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [
    { name: 'tech', number: '0897000', bind: 'tcp' },
    { name: 'tech-isdn', number: '0897001', bind: 'tcp', profile: 'isdn-ta' },
  ]);
  const lab = await startLab(t, files);
  t.match(lab.banner, /X\.75 modem: internal 792, dial 0301234792/, 'the banner says how to reach the X.75 modem');
  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());

  const dialIn = async (modem: string, setup: string, number: string, connect: RegExp, station: string): Promise<void> => {
    const term = await modemTerminal(files.modems[modem].port!);
    t.teardown(() => term.close());
    term.write(`ATZ${setup}\r`);
    await term.expect(/OK\r\n/);
    term.write(`ATDT${number}\r`);
    const connected = await term.expect(/CONNECT [^\r]*\r\n/);
    t.match(connected, connect, `${modem}: ${connect.source}`);
    await term.login(TECH.name, TECH.password, { pin: PIN });
    const set = await term.run(`set station.${station}.name "Remote ${modem}"`);
    t.same(set.lines, [`station.${station}.name = "Remote ${modem}"`], `${modem}: a station name changed through the modem session`);
    // Hang up still logged in, as a technician whose work is done: +++ (S12 guard time around it), then ATH.
    await new Promise((r) => setTimeout(r, 1200));
    term.write('+++');
    t.equal(await term.expect(/OK\r\n/, 5000), '\r\nOK\r\n', `${modem}: +++ returns to command state with OK and nothing else`);
    term.write('ATH\r');
    t.equal(await term.expect(/OK\r\n/), 'ATH\r\r\nOK\r\n', `${modem}: ATH, echoed, answers OK`);
    term.write('ATO\r');
    t.equal(await term.expect(/\r\n[A-Z][^\r]*\r\n/), 'ATO\r\r\nERROR\r\n', `${modem}: after ATH there is no call left to go back online to`);
  };
  await Promise.all([
    dialIn('tech', '', IMOD_NUMBER, /CONNECT 14400\/V42BIS/, '101'),
    dialIn('tech-isdn', '+BX75', X75_NUMBER, /CONNECT 64000\/X75/, '102'),
  ]);
  const dropped = (await admin.run('log show')).lines.filter((l) => / tech\s+S \(3\) A0-2$/.test(l));
  t.equal(dropped.length, 2, 'the PBX saw both lines drop: each modem session logged out (A0-2) without a logout command');
  t.same((await admin.run('get station.101.name')).lines, ['station.101.name = "Remote tech"'], 'the IMOD session\'s change is in the PBX');
  t.same((await admin.run('get station.102.name')).lines, ['station.102.name = "Remote tech-isdn"'], 'the X.75 session\'s change is in the PBX');
});
