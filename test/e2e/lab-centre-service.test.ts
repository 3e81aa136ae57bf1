import { join } from 'node:path';
import t from 'tap';
import { api, cliToken } from '../support/centre-child.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab, writeDefaultLabConfig } from '../support/control-lab.js';
import { KeypadLine } from '../support/keypad-line.js';
import { spawnLab, tempDir } from '../support/lab-child.js';
import { pollUntil } from '../support/poll-until.js';

/**
 * The embedded default lab (`npm start`; here with every port chosen by the
 * system and the PBX's LAN option on) runs the centre as a service: its PBX
 * and its key depot are registered there by the lab and check in over real UDP; the
 * API a script uses is the one `centre serve` has. Virtual time, moved
 * through the control port, so a minute's check-in takes no minute.
 */
const PBX = 'HSIM-0001';
const DEPOT = 'DEPOT-0001';

t.test('the default lab with the LAN option: the centre service with its PBX and depot registered and checking in; a PIN through the API opens compartment 2, the key taken and a class-B error arrive as events', async (t) => {
  const dir = tempDir(t, 'hicom-lab-service-');
  // The default lab with the LAN option of its first PBX turned on too (the second has it already).
  const config = writeDefaultLabConfig(dir, {}, (doc) => {
    doc.pbxs[0].lan = { centre: doc.centre.udp, interval: 1 };
  });
  const lab = await startControlLab(t, { virtualTime: true, config });
  const udp = /^centre service: UDP intake (127\.0\.0\.1:\d+), database (sqlite:\S+), supervision on$/m.exec(lab.banner);
  t.ok(udp, 'the banner says where the centre service takes check-ins');
  const base = /^ {2}JSON API: (http:\/\/127\.0\.0\.1:\d+\/api\/v1) /m.exec(lab.banner)?.[1];
  t.ok(base, 'and where its JSON API is');
  t.match(lab.banner, /portal: http:\/\/127\.0\.0\.1:\d+\//, 'and its portal');
  t.match(lab.banner, new RegExp(`registered lab devices: ${PBX}, HSIM-0002, ${DEPOT}`), 'the lab registered its two PBXs and its depot');
  t.match(lab.banner, new RegExp(`LAN option: checks in with ${udp?.[1].replace(/\./g, '\\.')} every 1 min`), 'the PBX checks in with that intake');
  t.match(lab.banner, new RegExp(`key depot ${DEPOT} \\(4 compartments\\), checks in with ${udp?.[1].replace(/\./g, '\\.')}`), 'and so does the depot');
  if (!udp || !base) return;
  const state = join(lab.dir, 'state');
  const token = await cliToken(udp[2], state, 'e2e');
  const control = await ControlTestClient.connect(lab.address);
  t.teardown(() => control.close());
  await control.next();
  const advance = (ms: number): Promise<unknown> => control.ok('clock.advance', { by: ms });
  const presence = async (id: string): Promise<string | undefined> => (await api(base, token, 'GET', `/devices/${id}/supervision`)).json?.presence;

  await pollUntil(async () => (await presence(PBX)) === 'ok' && (await presence(DEPOT)) === 'ok', 'both lab devices checked in with the service at start', 15_000, 100);
  t.pass('the PBX and the depot are present at the centre');

  const queued = await api(base, token, 'POST', `/devices/${DEPOT}/commands`, { type: 'pin-add', user: 'Meier', pin: '4711', compartments: [2] });
  t.equal(queued.status, 201, 'a PIN for compartment 2 queued through the API');
  await advance(60_000);
  await pollUntil(async () => (await api(base, token, 'GET', `/devices/${DEPOT}/commands`)).json?.some((c: { state: string }) => c.state === 'acknowledged') === true, 'the depot got the PIN in an ack and reported it', 15_000, 100);

  const keypadPort = Number(/keypad line: tcp 127\.0\.0\.1:(\d+)/.exec(lab.banner)?.[1]);
  const keypad = await KeypadLine.open(keypadPort);
  t.teardown(() => keypad.socket.destroy());
  t.match(await keypad.cmd('pin 4711'), /\|Open 2 {10}\|\r\n\|Meier {11}\|[\s\S]*\r\nOK\r\n$/, 'the PIN from the API opens compartment 2 at the keypad');
  t.match(await keypad.cmd('take 2'), /key taken from compartment 2[\s\S]*OK\r\n$/, 'a person takes the key');
  await control.ok('pbx.raise', { pbx: PBX, class: 'B', code: 0x1234, text: 'fan failure', location: 'S1/P3' });
  await advance(60_000);
  type Ev = { type: string; data: Record<string, unknown>; life: string };
  const events = async (device: string): Promise<Ev[]> => (await api(base, token, 'GET', `/events?device=${device}`)).json ?? [];
  await pollUntil(async () => (await events(DEPOT)).some((e) => e.type === 'key-taken'), 'the key taken is an event at the centre', 15_000, 100);
  const taken = (await events(DEPOT)).find((e) => e.type === 'key-taken');
  t.same([taken?.data.compartment, taken?.data.holder], [2, 'Meier'], 'with compartment and PIN holder');
  await pollUntil(async () => (await events(PBX)).some((e) => e.type === 'error'), 'the class-B error is an event at the centre', 15_000, 100);
  t.equal((await events(PBX)).find((e) => e.type === 'error')?.life, 'active', 'an active one, for an operator to acknowledge');
  let left: unknown[] = [{}];
  for (let i = 0; i < 100 && left.length > 0; i++) {
    left = (await control.ok('pbx.errors', { pbx: PBX, class: 'B' })) as unknown[];
    if (left.length) await new Promise((r) => setTimeout(r, 50));
  }
  t.same(left, [], 'and deleted in the PBX after the ack');
  const checkIns = async (at: string, id: string): Promise<number> => ((await api(at, token, 'GET', `/devices/${id}/check-ins?limit=1000`)).json ?? []).length;
  const had = { pbx: await checkIns(base, PBX), depot: await checkIns(base, DEPOT) };
  t.equal(await lab.stop(), 0, 'the lab stops cleanly');

  // Started again on the same state: the devices keep the keys the centre made, and check in at once.
  const again = await spawnLab(t, ['-c', config, '-s', state, '--log-level', 'warn']);
  const base2 = /^ {2}JSON API: (http:\/\/127\.0\.0\.1:\d+\/api\/v1) /m.exec(again.banner)?.[1] ?? '';
  t.match(again.banner, new RegExp(`registered lab devices: ${PBX}, HSIM-0002, ${DEPOT}`), 'the restarted lab finds its devices registered');
  await pollUntil(async () => (await checkIns(base2, PBX)) > had.pbx && (await checkIns(base2, DEPOT)) > had.depot, 'both check in again after the restart', 15_000, 100);
  t.pass('after a restart both devices check in with the keys registered the first time');
  t.equal((await api(base2, token, 'GET', '/rejects')).json?.length ?? 0, 0, 'and nothing was refused (no bad tag, no replay)');
  again.child.proc.kill('SIGTERM');
  t.equal(await again.child.exited, 0, 'the restarted lab stops cleanly');
});
