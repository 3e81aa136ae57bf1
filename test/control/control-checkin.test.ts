import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab, writeDefaultLabConfig } from '../support/control-lab.js';
import { CLI, freePort, runCli, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';

/**
 * A key depot of the lab checks in with a real `hicom-sim centre serve`
 * over UDP; the control port reports the centre's ack as checkin.acked. In
 * real time: answers from outside the lab arrive on the wall clock.
 */
t.test('a depot checking in with a running centre: checkin.acked over the control port', async (t) => {
  const dir = tempDir(t);
  const centreState = join(dir, 'centre-state');
  const added = runCli(['centre', 'device', 'add', 'DEPOT-A', '--kind', 'key-depot', '-s', centreState]);
  t.equal(added.status, 0, `the centre registers the depot (${added.stderr.trim()})`);
  const key = added.stdout.trim();
  const udp = await freePort();
  const centre = new LineChild(process.execPath, [CLI, 'centre', 'serve', '--udp', `127.0.0.1:${udp}`, '--no-http', '-s', centreState, '--log-level', 'warn']);
  t.teardown(async () => {
    centre.proc.kill('SIGKILL');
    await centre.exited;
  });
  await centre.expect(/^Ctrl-C stops the centre\.$/, 20_000);
  const config = join(dir, 'lab.yaml');
  writeFileSync(config, `${readFileSync(writeDefaultLabConfig(dir), 'utf8')}\ndepots:\n  - id: DEPOT-A\n    compartments: 2\n    centre: "127.0.0.1:${udp}"\n    key: ${key}\n    interval: 10\n`);
  const lab = await startControlLab(t, { config });
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.next();
  await c.ok('events.subscribe', { events: ['checkin.*'] });
  const got = (await c.ok('run-until', { event: 'checkin.acked', match: { device: 'DEPOT-A' }, timeout: '25s' }, 30_000)) as { matched: boolean; event: { data: { counter: number; accepted: number[] } } };
  t.ok(got.matched, 'the centre acknowledged a check-in of the depot');
  t.ok(Number.isInteger(got.event.data.counter), `with the counter it answered (${got.event.data.counter})`);
  t.ok(Array.isArray(got.event.data.accepted), 'and the events it stored');
  const depots = (await c.ok('depot.list')) as Array<{ online: boolean }>;
  t.equal(depots[0].online, true, 'depot.list shows the depot online');
});
