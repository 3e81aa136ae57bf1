import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * Stop the lab (SIGTERM) and start it again on the same state directory:
 * users, KDS changes and the protocol log survive, and the second startup
 * is logged as a second A2-3.
 */
t.test('users, changes and the log survive a stop and restart', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const first = await startLab(t, files);
  const c1 = await first.connect();
  t.teardown(() => c1.close());
  await firstLoginOverTcp(c1, 'tech', 'techpw1');
  t.ok((await addUser(c1, { name: 'useradm', circle: Circle.UserAdministration, password: 'uapw1' })).ok, 'user administrator created');
  await c1.run('set station.105.name "Vor Neustart"');
  await c1.run('logout');
  await c1.login('useradm', 'uapw1');
  t.ok((await addUser(c1, { name: 'rev', circle: Circle.Revision, password: 'revpw1' })).ok, 'revisor created');
  c1.close();
  t.equal(await first.stop(), 0, 'SIGTERM stops the lab with exit code 0');
  t.match(first.child.lines.join('\n'), /hicom-sim lab stopped/, 'the lab says it stopped');

  const second = await startLab(t, files);
  const c2 = await second.connect();
  t.teardown(() => c2.close());
  const welcome = await c2.login('tech', 'techpw1');
  t.match(welcome.lines.join('\n'), /Welcome tech \(system-maintenance\)\.[^]*last login \d{4}-\d\d-\d\d/, 'tech logs in with the changed password (no first-login dialogue) and sees the last login');
  t.same((await c2.run('get station.105.name')).lines, ['station.105.name = "Vor Neustart"'], 'the station name survived the restart');
  await c2.run('logout');
  await c2.login('rev', 'revpw1');
  const log = (await c2.run('log show')).lines;
  t.equal(log.filter((l) => /\(5\) A2-3-"HE300M\.00\.001\.01"$/.test(l)).length, 2, 'each startup is logged as A2-3');
  t.ok(log.some((l) => /STN-NAME 105 "Vor Neustart"$/.test(l)), 'the change logged before the restart is still in the log');
  const seqs = log.map((l) => Number(l.slice(0, 6))).filter((n) => n > 0);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'sequence numbers keep rising across the restart');
  t.equal(new Set(seqs).size, seqs.length, 'no sequence number is reused after the restart');
  const login = await c2.command('logout');
  t.ok(login.ok, 'logout works after the restart');
  c2.close();
  const c3 = await second.connect();
  t.teardown(() => c3.close());
  await c3.expect('User: ');
  c3.write('SERVICE\r');
  await c3.expect('Password: ');
  c3.write('31994\r');
  t.equal((await c3.reply()).code, 401, 'the delivered SERVICE login is gone for good after the first login');
});
