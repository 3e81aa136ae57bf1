import t from 'tap';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { MASTER_KEY_ENV, MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';
import { runCli } from '../support/lab-child.js';
import { freePort } from '../support/lab-child.js';

/** The built CLI run as a user would: `--db` and `-s` as the only link between the processes. */
onBothEngines(t, 'centre device add/list/show/update/rekey/remove from the command line', async (t, f) => {
  const db = ['--db', f.spec, '-s', f.stateDir, '--log-level', 'warn'];
  const added = runCli(['centre', 'device', 'add', 'DEP-0001', '--kind', 'key-depot', '--customer', 'Meier AG', '--interval', '120', '--test-window', '02:00-04:00', ...db]);
  t.equal(added.status, 0, `add exits 0: ${added.stderr}`);
  t.match(added.stdout, /^[A-Za-z0-9+/]{43}=\n$/, 'stdout is the key, base64, on one line, and nothing else');
  const key = Buffer.from(added.stdout.trim(), 'base64');
  t.equal(key.length, 32, 'a 32-byte key');

  // Another process with the same --db and -s sees the device and the same key at once.
  const handle = await f.open();
  const registry = await DeviceRegistry.open(handle, MasterKey.load(f.stateDir, {}));
  t.same(await registry.key('DEP-0001'), key, 'the key printed is the key another process gets from the database');
  await handle.close();

  const list = runCli(['centre', 'device', 'list', ...db]);
  t.match(list.stdout, /^DEP-0001\s+key-depot\s+120 s Meier AG$/m, `list shows it: ${list.stderr}`);
  const show = runCli(['centre', 'device', 'show', 'DEP-0001', '--json', ...db]);
  const shown = JSON.parse(show.stdout) as Record<string, unknown>;
  t.same([shown.customerName, shown.checkInIntervalMs, shown.testWindow], ['Meier AG', 120_000, { startMin: 120, endMin: 240 }], 'show --json gives the settings');
  t.notMatch(show.stdout + list.stdout, new RegExp(added.stdout.trim().slice(0, 20).replace(/[+/]/g, '.')), 'neither list nor show reveals the key');
  const upd = runCli(['centre', 'device', 'update', 'DEP-0001', '--site', 'Lager 3', ...db]);
  t.match(upd.stdout, /^site: Lager 3$/m, `update prints the new settings: ${upd.stderr}`);

  const rekey = runCli(['centre', 'device', 'rekey', 'DEP-0001', ...db]);
  t.match(rekey.stdout, /^[A-Za-z0-9+/]{43}=\n$/, 'rekey prints the new key alone');
  t.not(rekey.stdout, added.stdout, 'a different one');
  const again = runCli(['centre', 'device', 'add', 'DEP-0001', '--kind', 'pbx', ...db]);
  t.equal(again.status, 2, 'adding it twice fails (exit 2: bad input, docs/exit-codes.md)');
  t.same([again.stdout, again.stderr], ['', 'hicom-sim: device DEP-0001 is already registered\n'], 'with one line on stderr');
  const removed = runCli(['centre', 'device', 'remove', 'DEP-0001', ...db]);
  t.equal(removed.stdout, 'removed DEP-0001\n', 'remove says so');
  const gone = runCli(['centre', 'device', 'show', 'DEP-0001', ...db]);
  t.same([gone.status, gone.stderr], [2, 'hicom-sim: no device DEP-0001\n'], 'a removed device is gone');
});

t.test('bad --db, bad options and a master key that does not match give one clear line', async (t) => {
  const state = t.testdir();
  const one = (args: string[], env: Record<string, string> = {}) => runCli(['centre', 'device', ...args, '-s', state, '--log-level', 'warn'], { env });
  const bad = one(['list', '--db', 'mysql://x:secret@h/db']);
  t.same([bad.status, bad.stdout], [2, ''], '--db of another engine: exit 2, nothing on stdout');
  t.match(bad.stderr, /^hicom-sim: --db mysql:\/\/x:\*\*\*@h\/db: not sqlite:PATH or postgres:\/\/[^\n]*\n$/, 'one line, password hidden');
  const port = await freePort();
  const down = one(['list', '--db', `postgres://u:pw@127.0.0.1:${port}/centre`]);
  t.equal(down.status, 3, 'a server that is down: exit 3 (no connection)');
  t.match(down.stderr, /^hicom-sim: cannot open PostgreSQL database postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/centre: connection refused[^\n]*\n$/, 'one line, no stack trace');
  const kind = one(['add', 'D1', '--kind', 'fax']);
  t.equal(kind.status, 2, 'an unknown kind is refused (exit 2)');
  t.match(kind.stderr, /Allowed choices are pbx, key-depot/, 'naming the choices');
  const win = one(['add', 'D1', '--kind', 'pbx', '--test-window', '25:00-26:00']);
  t.match(win.stderr, /expected HH:MM-HH:MM/, 'a bad test window is refused');
  t.equal(one(['add', 'D1', '--kind', 'pbx']).status, 0, 'with the file key a device is added');
  const other = one(['list'], { [MASTER_KEY_ENV]: Buffer.alloc(32, 7).toString('base64') });
  t.equal(other.status, 2, 'another master key (from the environment) is refused (exit 2)');
  t.match(other.stderr, /^hicom-sim: the master key from HICOM_MASTER_KEY is not the one the device keys in sqlite:.* were sealed with\n$/, 'with one line');
});

t.test('a one-shot centre command on a new state directory keeps stderr quiet unless asked', async (t) => {
  const state = t.testdir();
  const added = runCli(['centre', 'device', 'add', 'DEP-0002', '--kind', 'key-depot', '-s', state]);
  t.equal(added.status, 0, 'add exits 0');
  t.equal(added.stderr, '', 'creating the database on the way logs nothing at the default level');
  // (A command that writes: a read-only one such as device list creates no database on a new state directory.)
  const asked = runCli(['--log-level', 'info', 'centre', 'token', 'add', 'ci', '-s', t.testdir()]);
  t.match(asked.stderr, /"msg":"schema migrated"/, '--log-level info still shows the migration');
});
