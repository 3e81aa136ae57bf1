import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab, writeDefaultLabConfig } from '../support/control-lab.js';
import { CLI, freePort, runCli, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';

const RESPONDER = resolve('dist/test/support/responder-process.js');

// The two cases are independent (each its own lab, centre and ports) and spend their time waiting for the depot's
// 10 s check-ins (the least interval a depot allows): side by side, the file takes the longer case's time, not the sum.
t.jobs = 2;

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
  const config = writeDefaultLabConfig(dir, { depots: [{ id: 'DEPOT-A', compartments: 2, centre: `127.0.0.1:${udp}`, key, interval: 10 }] });
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

/**
 * A centre whose clock jumps an hour naks the depot's next check-in for
 * clock skew (spec §5.2); the control port reports that as
 * checkin.rejected with the reason. The centre is the §5.2 responder in a
 * process of its own, because `centre serve` keeps the real clock.
 */
t.test('a centre whose clock jumps an hour naks the check-in: checkin.rejected with the reason over the control port', async (t) => {
  const dir = tempDir(t);
  const key = Buffer.from(new Uint8Array(32).map((_, i) => i * 7 + 1)).toString('base64');
  const keys = join(dir, 'keys.txt');
  writeFileSync(keys, `DEPOT-N key-depot ${key}\n`);
  const centre = new LineChild(process.execPath, [RESPONDER, keys, String(3_600_000)]);
  t.teardown(async () => {
    centre.proc.kill('SIGKILL');
    await centre.exited;
  });
  const listening = await centre.expect(/^listening (\S+)$/, 20_000);
  const address = /^listening (\S+)$/.exec(listening)![1];
  const config = writeDefaultLabConfig(dir, { depots: [{ id: 'DEPOT-N', compartments: 2, centre: address, key, interval: 10 }] });
  const lab = await startControlLab(t, { config });
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.next();
  await c.ok('events.subscribe', { events: ['checkin.*'] });
  const acked = (await c.ok('run-until', { event: 'checkin.acked', match: { device: 'DEPOT-N' }, timeout: '25s' }, 30_000)) as { matched: boolean };
  t.ok(acked.matched, 'the depot checks in while the clocks agree');
  centre.proc.kill('SIGUSR1');
  const got = (await c.ok('run-until', { event: 'checkin.rejected', match: { device: 'DEPOT-N' }, timeout: '25s' }, 30_000)) as { matched: boolean; event: { data: { reason: string } } };
  t.ok(got.matched, 'the check-in was nakked');
  t.equal(got.event.data.reason, 'clock-skew', 'with the reason the centre gave');
});
