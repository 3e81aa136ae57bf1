import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { isLocalOnly, parseControlAddress } from '../../src/control/control-address.js';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab, writeDefaultLabConfig } from '../support/control-lab.js';
import { CLI, runCli, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';

/** Who may drive a lab: the token rule of docs/control.md ("Authentication") and the CLI's refusals. */

t.test('which addresses need the token', async (t) => {
  const local = (spec: string): boolean => isLocalOnly(parseControlAddress(spec));
  t.equal(local('unix:/tmp/lab.sock'), true, 'a unix socket (mode 0600) needs none');
  t.equal(local('tcp:127.0.0.1:7300'), true, '127.0.0.1 needs none');
  t.equal(local('tcp:127.8.9.10:7300'), true, 'all of 127.0.0.0/8 is loopback');
  t.equal(local('tcp:[::1]:7300'), true, '::1 needs none');
  t.equal(local('tcp:localhost:7300'), true, 'localhost needs none');
  t.equal(local('tcp:[::ffff:127.0.0.1]:7300'), true, 'an IPv4-mapped loopback address needs none');
  t.equal(local('tcp:0.0.0.0:7300'), false, 'every interface needs the token');
  t.equal(local('tcp:[::]:7300'), false, 'every IPv6 interface needs the token');
  t.equal(local('tcp:192.0.2.10:7300'), false, 'a LAN address needs the token');
  t.equal(local('tcp:lab.example:7300'), false, 'a host name other than localhost needs the token');
  t.throws(() => parseControlAddress('udp:1.2.3.4:5'), /expected tcp:\[HOST:\]PORT or unix:PATH/, 'another kind is refused');
  t.throws(() => parseControlAddress('unix:'), /no socket path/, 'an empty socket path is refused');
  t.throws(() => parseControlAddress('tcp:127.0.0.1:99999'), /--control tcp:127\.0\.0\.1:99999: /, 'a bad port is refused, naming the option');
});

t.test('with a token file: nothing before auth, three wrong tokens close the connection', async (t) => {
  const dir = tempDir(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'a-long-enough-token-for-the-test\n');
  const lab = await startControlLab(t, { virtualTime: true, args: ['--control-token-file', tokenFile] });
  t.match(lab.banner, /^control: unix:\S+ \(JSON lines, docs\/control\.md\), token required$/m, 'the banner says a token is required');
  t.notMatch(lab.banner, /control token:/, 'a token from a file is not printed');
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  t.equal((((await c.next()).greeting) as { auth: string }).auth, 'token', 'the greeting says a token is needed');
  for (const cmd of ['pbx.list', 'lab.stop', 'clock.advance']) {
    const { reply } = await c.request(cmd);
    t.equal((reply.error as { code: string }).code, 'unauthorized', `${cmd} before auth is refused`);
  }
  t.ok(Array.isArray(await c.ok('commands')), 'the command list is open (it holds nothing of the lab)');
  for (let i = 1; i <= 3; i++) {
    const { reply } = await c.request('auth', { token: `wrong-${i}` });
    t.match((reply.error as { message: string }).message, i < 3 ? /^wrong token$/ : /3 wrong tokens, closing the connection/, `wrong token ${i} is refused`);
  }
  await t.rejects(c.next(5000), /closed the control connection/, 'the lab closes the connection after three wrong tokens');
  const d = await ControlTestClient.connect(lab.address);
  t.teardown(() => d.close());
  await d.next();
  t.same(await d.ok('auth', { token: 'a-long-enough-token-for-the-test' }), { authenticated: true }, 'the right token opens a new connection');
  t.equal((await d.ok('pbx.list') as unknown[]).length, 2, 'and then commands run (both PBXs of the default lab listed)');
});

t.test('off loopback the lab makes a token and prints it; the Python client needs it', async (t) => {
  const ns = `hicom-ctl-${process.pid}`;
  const ip = (...args: string[]): void => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  // A network namespace of our own with an address that is not loopback: nothing leaves it.
  ip('netns', 'add', ns);
  t.teardown(() => ip('netns', 'del', ns));
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', '10.77.0.1/32', 'dev', 'lo');
  const dir = tempDir(t);
  const child = new LineChild('ip', ['netns', 'exec', ns, process.execPath, CLI, 'lab', '-c', writeDefaultLabConfig(dir), '-s', join(dir, 'state'), '--log-level', 'warn', '--virtual-time', '--control', 'tcp:10.77.0.1:0']);
  t.teardown(async () => {
    child.proc.kill('SIGKILL');
    await child.exited;
  });
  const controlLine = await child.expect(/^control: /, 20_000);
  t.match(controlLine, /^control: tcp:10\.77\.0\.1:\d+ \(JSON lines, docs\/control\.md\), token required$/, 'the banner says where and that a token is required');
  const tokenLine = await child.expect(/^control token: /, 20_000);
  await child.expect(/^Ctrl-C stops the lab\.$/, 20_000);
  const token = tokenLine.slice('control token: '.length);
  t.match(token, /^[A-Za-z0-9_-]{43}$/, 'a 32-byte random token, base64url');
  const client = resolve('clients/python');
  const script = `
import sys; sys.path.insert(0, ${JSON.stringify(client)})
from hicom_control import Control, ControlError
address, token = sys.argv[1], sys.argv[2]
c = Control.connect(address)
try:
    c.command("pbx.list")
    print("no token: accepted")
except ControlError as e:
    print("no token:", e.code)
c.close()
c = Control.connect(address, token=token)
print("with token:", [p["id"] for p in c.command("pbx.list")])
`;
  const address = /^control: (\S+)/.exec(controlLine)?.[1] ?? '';
  const r = spawnSync('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', script, address, token], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, `the Python client ran (${r.stderr.trim()})`);
  t.match(r.stdout, /^no token: unauthorized$/m, 'without the token every command is refused');
  t.match(r.stdout, /^with token: \['HSIM-0001', 'HSIM-0002'\]$/m, 'with the printed token the rig drives the lab');
});

t.test('the CLI refuses bad control options with one line and exit 2', async (t) => {
  const dir = tempDir(t);
  const cases: Array<[string[], RegExp]> = [
    [['lab', '--control', 'serial:/dev/ttyS0'], /--control serial:\/dev\/ttyS0: expected tcp:\[HOST:\]PORT or unix:PATH/],
    [['lab', '--virtual-time'], /--virtual-time needs --control: nothing else moves the clock/],
    [['lab', '--control-token-file', join(dir, 'x')], /--control-token-file needs --control/],
    [['lab', '--control', `unix:${join(dir, 's')}`, '--control-token-file', join(dir, 'missing')], /--control-token-file .*missing: cannot read it \(no such file or directory\)/],
    [['lab', '--control', `unix:${join(dir, 's')}`, '--report', join(dir, 'no', 'such', 'dir', 'r.html')], /cannot write .*r\.html \(--report\): no such file or directory/],
  ];
  writeFileSync(join(dir, 'short'), 'abc\n');
  cases.push([['lab', '--control', `unix:${join(dir, 's')}`, '--control-token-file', join(dir, 'short')], /the token must be one word of at least 16 characters/]);
  for (const [args, message] of cases) {
    const r = runCli(args);
    t.equal(r.status, 2, `${args.slice(1).join(' ')} exits 2`);
    t.match(r.stderr, message, 'with one clear line');
    t.equal(r.stdout, '', 'and starts no lab');
  }
});

t.test('a second lab on the same control socket is refused, the first goes on', async (t) => {
  const first = await startControlLab(t, { virtualTime: true });
  const second = runCli(['lab', '-c', writeDefaultLabConfig(tempDir(t)), '-s', join(tempDir(t), 'state'), '--control', first.address], { timeoutMs: 30_000 });
  t.not(second.status, 0, 'the second lab does not start');
  t.match(second.stderr, /another process listens there/, 'and says why');
  const c = await ControlTestClient.connect(first.address);
  t.teardown(() => c.close());
  await c.next();
  t.equal((await c.ok('clock.now') as { mode: string }).mode, 'virtual', 'the first lab still answers on its socket');
});
