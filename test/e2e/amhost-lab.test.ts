import t from 'tap';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/** A plus product on the V.24 port of a running lab: AMHOST logs in, checks a guest in; the revisor's log shows it. */
t.test('a plus product checks a guest in through AMHOST on a running lab', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const lab = await startLab(t, files);
  const tech = await lab.connect();
  t.teardown(() => tech.close());
  await firstLoginOverTcp(tech, 'tech', 'techpw1');
  await tech.run('logout');
  const welcome = await tech.login('AMHOST', 'amhost');
  t.match(welcome.lines.join('\n'), /Welcome AMHOST \(no circle\)/, 'AMHOST logs in with its delivered password');
  t.same((await tech.run('set station.104.name "Gast Weber"')).lines, ['station.104.name = "Gast Weber"'], 'the guest name is set');
  t.same((await tech.run('set station.104.code-lock no')).lines, ['station.104.code-lock = "no"'], 'the room phone is unlocked');
  t.equal((await tech.command('set c1.system-name Hotel')).code, 403, 'system data stays out of reach');
  await tech.run('logout');
  await tech.login('tech', 'techpw1');
  const log = (await tech.run('log show last 6')).lines.join('\n');
  t.match(log, /amhost +- \(1\) STN-NAME 104 "Gast Weber"/, 'the change is in the protocol log under amhost');
  t.match(log, /amhost +- \(1\) STN-LOCK 104 "no"/, 'so is the unlock');
});
