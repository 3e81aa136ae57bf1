import t from 'tap';
import { SessionClient } from '../../src/clients/session-client.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab } from '../support/control-lab.js';
import { firstLoginOverTcp } from '../support/lab-child.js';

/**
 * On the virtual clock time moves only through the control port, yet a
 * terminal on an admin port is answered at once: work due now runs on the
 * event loop (docs/control.md, "Messages").
 */
t.test('an admin session works on a virtual-time lab while its clock stands still', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const port = Number(/admin port: tcp 127\.0\.0\.1:(\d+) \(V\.24 service port\)/.exec(lab.banner)?.[1]);
  t.ok(port > 0, 'the banner names the V.24 port');
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.next();
  const before = (await c.ok('clock.now')) as { ms: number };
  const admin = await SessionClient.connectTcp('127.0.0.1', port);
  t.teardown(() => admin.close());
  t.match(await firstLoginOverTcp(admin, 'tech', 'techpw1'), /No users are set up in the system yet/, 'the first login runs through');
  const sys = await admin.run('show system');
  t.match(sys.lines.join('\n'), /you: tech \(system-maintenance\)/, 'commands answer');
  const after = (await c.ok('clock.now')) as { ms: number };
  t.equal(after.ms, before.ms, 'and the lab clock did not move');
  const log = (await c.ok('pbx.log', { pbx: 'HSIM-0001', tail: 5 })) as Array<{ user: string; command: string }>;
  t.ok(log.some((e) => e.user === 'tech' && e.command.startsWith('A0-1')), 'the login is in the protocol log, read through the control port');
});
