import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, validateConfig } from '../../src/lab/config.js';
import { DeviceKeysError, formatDeviceKey, parseDeviceKeys, readDeviceKey } from '../../src/storage/device-keys-file.js';
import { runCli, tempDir } from '../support/lab-child.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const pbx = (lan?: unknown) => ({ id: 'HSIM-0001', trunks: ['0301234'], ...(lan === undefined ? {} : { lan }) });

t.test('depots and the LAN option read from a configuration, with defaults', async (t) => {
  const c = validateConfig({ pbxs: [pbx({ centre: '127.0.0.1:4000', key: KEY })], depots: [{ id: 'SD-1', centre: '[::1]:4000', key: KEY }] });
  t.same(c.pbxs[0].lan, { centre: '127.0.0.1:4000', key: KEY, interval: 1 }, 'LAN: interval 1 minute by default');
  t.same(c.depots, [{ id: 'SD-1', compartments: 4, centre: '[::1]:4000', key: KEY, interval: 60 }], 'depot: 4 compartments, 60 s, no keypad by default');
  t.same(validateConfig({ pbxs: [{ ...pbx(), adminPorts: [{ bind: 'tcp:127.0.0.1:0' }] }] }).depots, [], 'no depots: an empty list');
});

t.test('keys from a keys file or a one-key file, relative to the configuration', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'keys.txt'), `# comment\n\nSD-1 key-depot ${KEY}   # trailing comment\nHSIM-0001 pbx ${Buffer.alloc(32, 8).toString('base64')}\n`);
  writeFileSync(join(dir, 'one.key'), `${KEY}\n`);
  const c = validateConfig({ pbxs: [pbx({ centre: '127.0.0.1:4000', keyFile: 'keys.txt' })], depots: [{ id: 'SD-1', centre: '127.0.0.1:4000', keyFile: 'one.key' }] }, dir);
  t.equal(c.pbxs[0].lan?.key, Buffer.alloc(32, 8).toString('base64'), 'the PBX\'s line of the keys file');
  t.equal(c.depots[0].key, KEY, 'the one key of a one-key file');
  t.same(readDeviceKey(join(dir, 'keys.txt'), 'SD-1'), new Uint8Array(Buffer.alloc(32, 7)), 'readDeviceKey by id');
  t.equal(formatDeviceKey(parseDeviceKeys(`SD-1 key-depot ${KEY}`, 'x')[0]), `SD-1 key-depot ${KEY}`, 'a line formats back to itself');
});

/** A lab running the centre as a service (`centre.udp`). */
const withService = { modems: [{ name: 'c', number: '0899000', bind: 'tcp:127.0.0.1:0' }], centre: { modem: 'c', udp: '127.0.0.1:7300', http: '127.0.0.1:7301' } };

t.test("devices of the lab's own centre service may leave out the key: the lab registers them", async (t) => {
  const c = validateConfig({ ...withService, pbxs: [pbx({ centre: '127.0.0.1:7300' })], depots: [{ id: 'SD-1', centre: '127.0.0.1:7300' }] });
  t.same([c.pbxs[0].lan?.key, c.depots[0].key], [undefined, undefined], 'no key yet: the lab asks its centre for one at start');
  t.same([c.centre?.udp, c.centre?.http], ['127.0.0.1:7300', '127.0.0.1:7301'], 'the service addresses are kept');
  const free = validateConfig({ modems: withService.modems, centre: { modem: 'c', udp: '127.0.0.1:0' }, depots: [{ id: 'SD-1', centre: '127.0.0.1:0' }] });
  t.equal(free.depots[0].centre, '127.0.0.1:0', 'port 0 (chosen at start) for the service and the devices that check in with it');
});

t.test('bad device entries: one clear error naming the field', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'keys.txt'), `SD-2 key-depot ${KEY}\n`);
  const cases: Array<[string, unknown, RegExp]> = [
    ['LAN without a key', { pbxs: [pbx({ centre: '127.0.0.1:4000' })] }, /^pbxs\[0\]\.lan: give the device key as key: \(base64\) or keyFile: \(a file\); only a device that checks in with the lab's own centre service \(centre\.udp, not set\) may leave it out$/],
    ['depot without a key, another centre', { ...withService, depots: [{ id: 'SD-1', centre: '127.0.0.1:4000' }] }, /^depots\[0\]: give the device key .*\(centre\.udp 127\.0\.0\.1:7300\) may leave it out$/],
    ['a keyed device on port 0', { ...withService, depots: [{ id: 'SD-1', centre: '127.0.0.1:0', key: KEY }] }, /^depots\[0\]\.centre: port 0 is not 1–65535/],
    ['centre.http without centre.udp', { modems: withService.modems, centre: { modem: 'c', http: '127.0.0.1:7301' } }, /^centre\.http: .*give centre\.udp too$/],
    ['centre.udp not an address', { modems: withService.modems, centre: { modem: 'c', udp: 'here' } }, /^centre\.udp: "here" is not HOST:PORT/],
    ['centre unknown field', { modems: withService.modems, centre: { modem: 'c', tcp: 1 } }, /^centre: unknown field "tcp"/],
    ['LAN with both', { pbxs: [pbx({ centre: '127.0.0.1:4000', key: KEY, keyFile: 'keys.txt' })] }, /one of the two/],
    ['LAN centre without a port', { pbxs: [pbx({ centre: '127.0.0.1', key: KEY })] }, /^pbxs\[0\]\.lan\.centre: "127\.0\.0\.1" is not HOST:PORT/],
    ['LAN key too short', { pbxs: [pbx({ centre: 'c:1', key: Buffer.alloc(16).toString('base64') })] }, /^pbxs\[0\]\.lan\.key: 16 bytes, a key has 32$/],
    ['LAN key not base64', { pbxs: [pbx({ centre: 'c:1', key: 'x*y' })] }, /^pbxs\[0\]\.lan\.key: not base64$/],
    ['LAN interval 0', { pbxs: [pbx({ centre: 'c:1', key: KEY, interval: 0 })] }, /^pbxs\[0\]\.lan\.interval: a whole number 1–60$/],
    ['LAN unknown field', { pbxs: [pbx({ centre: 'c:1', key: KEY, port: 4 })] }, /^pbxs\[0\]\.lan: unknown field "port"/],
    ['depot id with a blank', { depots: [{ id: 'SD 1', centre: 'c:1', key: KEY }] }, /^depots\[0\]\.id: "SD 1" must be 1–32/],
    ['depot id twice', { depots: [{ id: 'SD-1', centre: 'c:1', key: KEY }, { id: 'SD-1', centre: 'c:1', key: KEY }] }, /^depots\[1\]\.id: SD-1 is used twice/],
    ['depot id of a PBX', { pbxs: [pbx()], depots: [{ id: 'HSIM-0001', centre: 'c:1', key: KEY }] }, /^depots\[0\]\.id: HSIM-0001 is used twice/],
    ['0 compartments', { depots: [{ id: 'SD-1', centre: 'c:1', key: KEY, compartments: 0 }] }, /^depots\[0\]\.compartments: a whole number 1–255$/],
    ['interval 5 s', { depots: [{ id: 'SD-1', centre: 'c:1', key: KEY, interval: 5 }] }, /^depots\[0\]\.interval: a whole number 10–86400$/],
    ['bad keypad binding', { depots: [{ id: 'SD-1', centre: 'c:1', key: KEY, keypad: 'ftp:1' }] }, /^depots\[0\]\.keypad: bad line binding "ftp:1"/],
    ['key file without the id', { depots: [{ id: 'SD-1', centre: 'c:1', keyFile: 'keys.txt' }] }, /^depots\[0\]\.keyFile: .*keys\.txt: no key for device SD-1$/],
    ['missing key file', { depots: [{ id: 'SD-1', centre: 'c:1', keyFile: 'nope.txt' }] }, /^depots\[0\]\.keyFile: cannot read .*nope\.txt: ENOENT$/],
    ['depot unknown field', { depots: [{ id: 'SD-1', centre: 'c:1', key: KEY, pin: '4711' }] }, /^depots\[0\]: unknown field "pin"/],
    ['depots not a list', { depots: { id: 'SD-1' } }, /^depots: expected a list$/],
  ];
  for (const [what, doc, want] of cases) t.throws(() => validateConfig(doc, dir), { name: 'ConfigError', message: want }, what);
  t.ok(new ConfigError('x') instanceof Error, 'ConfigError is an Error');
});

t.test('bad lines of a keys file name file and line', async (t) => {
  const bad: Array<[string, RegExp]> = [
    [`SD-1 key-depot`, /^k:1: expected "ID KIND KEY", got 2 fields$/],
    [`\nSD-1 depot ${KEY}`, /^k:2: kind "depot" is not pbx or key-depot$/],
    [`SD/1 pbx ${KEY}`, /^k:1: device id "SD\/1" is not 1–32/],
    [`SD-1 pbx AAAA`, /^k:1: the key of SD-1 is 3 bytes, a key has 32$/],
    [`SD-1 pbx ${KEY}\nSD-1 pbx ${KEY}`, /^k:2: device SD-1 is listed twice$/],
  ];
  for (const [text, want] of bad) t.throws(() => parseDeviceKeys(text, 'k'), { name: 'DeviceKeysError', message: want }, want.source);
  t.ok(new DeviceKeysError('x') instanceof Error, 'DeviceKeysError is an Error');
});

t.test('config check counts the depots', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, `pbxs: []\ndepots:\n  - { id: SD-1, centre: "127.0.0.1:4000", key: "${KEY}" }\n  - { id: SD-2, centre: "127.0.0.1:4000", key: "${KEY}" }\n`);
  const r = runCli(['config', 'check', file]);
  t.equal(r.status, 0, 'valid');
  t.match(r.stdout, /OK — 0 PBX\(s\), 0 modem\(s\), 2 key depot\(s\), state in /, 'two key depots named');
});
