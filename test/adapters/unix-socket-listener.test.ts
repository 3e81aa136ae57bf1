import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { listenOnUnixSocket } from '../../src/adapters/unix-socket-listener.js';
import { tempDir } from '../support/lab-child.js';

function closeServer(s: Server): Promise<void> {
  return new Promise((done) => s.close(() => done()));
}

t.test('a socket file left by a dead process is replaced; the new one is its owner\'s only', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  // A process killed with SIGKILL leaves its socket file behind.
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.ok(lstatSync(path).isSocket(), 'the dead listener left its socket file');
  const next = createServer();
  await listenOnUnixSocket(next, path, 'second');
  t.teardown(() => closeServer(next));
  t.equal(lstatSync(path).mode & 0o777, 0o600, 'readable and writable by its owner only');
});

t.test('a socket another process still listens on is refused and left alone', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  const live = createServer();
  await listenOnUnixSocket(live, path, 'first');
  t.teardown(() => closeServer(live));
  await t.rejects(listenOnUnixSocket(createServer(), path, '--control unix:c.sock'), /^--control unix:c\.sock: another process listens there$/, 'says who holds it');
  t.ok(lstatSync(path).isSocket(), 'the live socket is still there');
});

t.test('a path that is no socket is refused and never removed', async (t) => {
  const path = join(tempDir(t), 'notes.txt');
  writeFileSync(path, 'keep me');
  await t.rejects(listenOnUnixSocket(createServer(), path, 'label'), /^label: the path exists and is not a socket$/, 'says what is there');
  t.ok(existsSync(path) && readFileSync(path, 'utf8') === 'keep me', 'the file is as it was');
});
