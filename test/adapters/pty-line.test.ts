import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtyLine } from '../../src/adapters/pty-line.js';
import { EndpointProbe } from '../support/endpoint-probe.js';
import { LineChild } from '../support/line-child.js';

// A user on the virtual port: pyserial opens the link, writes, reads, closes, reopens.
const USER = `
import sys, serial
path = sys.argv[1]
s = serial.Serial(path, 9600, timeout=3)
print('open', flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'write':
        s.write(bytes.fromhex(cmd[1])); s.flush(); print('written', flush=True)
    elif cmd[0] == 'read':
        print('read', s.read(int(cmd[1])).hex(), flush=True)
    elif cmd[0] == 'lines':
        try:
            print('cd', s.cd, flush=True)
        except Exception as e:
            print('lines error', type(e).__name__, flush=True)
    elif cmd[0] == 'reopen':
        s.close(); s = serial.Serial(path, 9600, timeout=3); print('reopened', flush=True)
    elif cmd[0] == 'close':
        s.close(); print('closed', flush=True); break
`;

function scratch(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'pty-line-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('pyserial on the link path talks to the device, survives close and reopen', async (t) => {
  const path = join(scratch(t), 'admin');
  const line = await PtyLine.open({ path });
  t.teardown(() => line.dispose());
  const probe = new EndpointProbe(line);
  t.ok(existsSync(path), 'the user link exists once open() resolves');
  t.equal(line.description, `pty ${path}`, 'description names the user path');

  const user = LineChild.python(USER, path);
  t.teardown(() => user.stop());
  await user.expect(/^open$/);
  user.send('write 41540dff00');
  await user.expect(/^written$/);
  await probe.waitForData(Buffer.from([0x41, 0x54, 0x0d, 0xff, 0x00]));
  t.ok(probe.received.equals(Buffer.from([0x41, 0x54, 0x0d, 0xff, 0x00])), 'user bytes arrive raw (no echo, no CR mapping)');
  line.write(Buffer.from([0x4f, 0x4b, 0x0d, 0x0a, 0xff]));
  user.send('read 5');
  t.equal(await user.expect(/^read /), 'read 4f4b0d0aff', 'device bytes reach the user raw');

  line.setLines({ dcd: true, ri: true });
  user.send('lines');
  t.match(await user.expect(/^(cd|lines)/), /^(cd False|lines error)/, 'no modem lines on a pty, and setting them did not break anything');

  user.send('reopen');
  await user.expect(/^reopened$/);
  user.send('write 5a');
  await user.expect(/^written$/);
  await probe.waitForData('Z');
  line.write('again');
  user.send('read 5');
  t.equal(await user.expect(/^read /), `read ${Buffer.from('again').toString('hex')}`, 'after close and reopen the port still works both ways');
  t.equal(probe.closeCount, 0, 'the user closing the port does not close the endpoint');

  user.send('close');
  await user.expect(/^closed$/);
  await line.dispose();
  t.equal(probe.closeCount, 1, 'dispose fires onClose once');
  t.notOk(existsSync(path), 'the user link is removed');
  t.not(line.socat.exitCode ?? line.socat.signalCode, null, 'socat has exited');
});

t.test('socat dying closes the endpoint and removes the link', async (t) => {
  const path = join(scratch(t), 'modem');
  const line = await PtyLine.open({ path });
  const probe = new EndpointProbe(line);
  line.socat.kill('SIGKILL');
  await probe.closed;
  await line.socatExited;
  t.equal(probe.closeCount, 1, 'onClose fired');
  t.notOk(existsSync(path), 'link removed even though socat could not');
});

t.test('a socat that fails at once: its last stderr line is in the error, even when it comes after the exit', async (t) => {
  const dir = scratch(t);
  // Exits at once; its stderr closes only when the background writer has written its line 200 ms later.
  const socat = join(dir, 'socat');
  writeFileSync(socat, '#!/bin/sh\n(sleep 0.2; echo "2026/12/02 04:00:00 socat[1] E late complaint" >&2) &\nexit 1\n', { mode: 0o755 });
  await t.rejects(PtyLine.open({ path: join(dir, 'x'), socat }), /socat exited \(code 1\) before the ptys were ready: .*E late complaint/, 'the line written after the exit is quoted');
});

t.test('clear errors: socat missing, directory missing, path taken; stale link reclaimed', async (t) => {
  const dir = scratch(t);
  await t.rejects(PtyLine.open({ path: join(dir, 'x'), socat: '/nonexistent/socat' }), /socat not found: install socat/, 'missing socat named');
  await t.rejects(PtyLine.open({ path: join(dir, 'no', 'such', 'dir') }), /socat exited .* before the ptys were ready: .*No such file/, 'socat failure explained');
  const file = join(dir, 'file');
  writeFileSync(file, '');
  await t.rejects(PtyLine.open({ path: file }), /exists and is not a link/, 'a plain file is not overwritten');
  await t.rejects(PtyLine.open({ path: join(dir, 'a,b') }), /must not contain/, 'socat syntax characters refused');
  const stale = join(dir, 'stale');
  symlinkSync('/dev/pts/does-not-exist', stale);
  const line = await PtyLine.open({ path: stale });
  t.ok(existsSync(stale), 'a dangling link from a crashed run is replaced by a live one');
  await t.rejects(PtyLine.open({ path: stale }), /already in use/, 'a live link is not stolen');
  await line.dispose();
});
