import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { VirtualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { CheckInResponder } from '../support/check-in-responder.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab } from '../support/control-lab.js';
import { pinHash } from '../support/depot-rig.js';
import { tempDir } from '../support/lab-child.js';
import { KeypadLine } from '../support/keypad-line.js';
import { pollUntil } from '../support/poll-until.js';

/**
 * `hicom-sim lab` as a user runs it, with a key depot (keypad on TCP) and a
 * PBX with the LAN option, checking in over real UDP with a §5.2 centre in
 * this process; the lab on virtual time, moved through its control port.
 */
const DEPOT = 'SD-E2E1';
const PBX = 'HSIM-E2E1';

t.test('a lab depot and a LAN PBX check in over UDP; keys and errors arrive, errors are deleted', async (t) => {
  const depotKey = new SeededRandom(21).bytes(32);
  const pbxKey = new SeededRandom(22).bytes(32);
  // The centre follows the lab's virtual clock (the same start; advanced with it below).
  const centreClock = new VirtualClock();
  const centre = new CheckInResponder({ clock: centreClock, random: cryptoRandom });
  centre.addDevice(DEPOT, depotKey);
  centre.addDevice(PBX, pbxKey);
  const udp = await UdpDatagramPort.open();
  centre.attach(udp);
  t.teardown(() => centre.close());

  const dir = tempDir(t, 'hicom-depot-e2e-');
  const keys = join(dir, 'keys.txt');
  writeFileSync(keys, `# written as "centre device add" printed them\n${DEPOT} key-depot ${Buffer.from(depotKey).toString('base64')}\n${PBX} pbx ${Buffer.from(pbxKey).toString('base64')}\n`);
  const at = `127.0.0.1:${udp.address.port}`;
  const config = join(dir, 'lab.yaml');
  writeFileSync(config, stringify({
    stateDir: join(dir, 'state'),
    pacing: false,
    pbxs: [{ id: PBX, trunks: ['0301234'], lan: { centre: at, keyFile: 'keys.txt' } }],
    depots: [{ id: DEPOT, compartments: 3, keypad: 'tcp:127.0.0.1:0', centre: at, keyFile: 'keys.txt' }],
    modems: [],
  }));
  const lab = await startControlLab(t, { virtualTime: true, config });
  t.match(lab.banner, new RegExp(`key depot ${DEPOT} \\(3 compartments\\), checks in with ${at.replace(/\./g, '\\.')} every 60 s`), 'the banner names the depot');
  t.match(lab.banner, /LAN option: checks in with .* every 1 min/, 'and the LAN option');
  const keypadPort = Number(/keypad line: tcp 127\.0\.0\.1:(\d+)/.exec(lab.banner)?.[1]);
  t.ok(keypadPort > 0, `keypad line on port ${keypadPort}`);
  const control = await ControlTestClient.connect(lab.address);
  t.teardown(() => control.close());
  await control.next();
  const advance = async (ms: number): Promise<void> => {
    await control.ok('clock.advance', { by: ms });
    centreClock.advance(ms);
  };

  await pollUntil(() => centre.stats.acks >= 2, 'both devices checked in at start', 10_000);
  t.same(centre.device(DEPOT).events.map((e) => e.type), ['startup'], 'the depot reported its startup');

  centre.queueCommand(DEPOT, { type: 'pin-add', user: 'Meier', hash: pinHash('4711'), compartments: [2] });
  await advance(60_000);
  await pollUntil(() => centre.device(DEPOT).events.some((e) => e.type === 'command'), 'the depot ran the pin-add and said so', 10_000);

  const keypad = await KeypadLine.open(keypadPort);
  t.teardown(() => keypad.socket.destroy());
  t.match(keypad.greeting, new RegExp(`key depot ${DEPOT} \\(3 compartments\\)`), 'the keypad line greets');
  t.match(await keypad.cmd('pin 4711'), /\|Open 2 {10}\|\r\n\|Meier {11}\|[\s\S]*\r\nOK\r\n$/, 'the PIN from the centre opens compartment 2');
  t.match(await keypad.cmd('take 2'), /key taken from compartment 2[\s\S]*OK\r\n$/, 'the key is taken');

  await control.ok('pbx.raise', { pbx: PBX, class: 'B', code: 0x1234, text: 'fan failure', location: 'S1/P3' });
  await advance(60_000);
  await pollUntil(() => centre.device(DEPOT).events.some((e) => e.type === 'key-taken'), 'the key taken reached the centre', 10_000);
  await pollUntil(() => centre.device(PBX).events.some((e) => e.type === 'error'), 'the class-B error reached the centre', 10_000);
  const taken = centre.device(DEPOT).events.find((e) => e.type === 'key-taken');
  t.same([taken?.compartment, taken?.holder], [2, 'Meier'], 'with compartment and PIN holder');
  // The ack is on its way back to the lab: ask until the PBX has processed it.
  let left: unknown[] = [{}];
  for (let i = 0; i < 100 && left.length > 0; i++) {
    left = (await control.ok('pbx.errors', { pbx: PBX, class: 'B' })) as unknown[];
    if (left.length) await new Promise((r) => setTimeout(r, 50));
  }
  t.same(left, [], 'the error was deleted in the PBX after the ack');
  const log = (await control.ok('pbx.log', { pbx: PBX, tail: 10 })) as Array<{ user: string; command: string }>;
  t.ok(log.some((e) => e.user === 'centre' && e.command === 'B1-2 LAN 1 error'), 'the deletion is in the protocol log as the centre\'s B1-2');
  t.equal(centre.stats.naks.replay + centre.stats.rejects.size, 0, 'no replay, no rejected telegram');
  t.equal(await lab.stop(), 0, 'the lab stops cleanly');
});
