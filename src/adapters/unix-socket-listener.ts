import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';

/**
 * Listen on a Unix-domain socket file that only its owner may use. A
 * socket file left by a process that died is replaced; one that still
 * answers belongs to another running process and is an error, as is a path
 * that exists and is no socket (it is never removed). `label` starts each
 * error ("--control unix:/run/lab.sock").
 */
export async function listenOnUnixSocket(server: Server, path: string, label: string): Promise<void> {
  if (await isStaleSocket(path, label)) unlinkSync(path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
}

async function isStaleSocket(path: string, label: string): Promise<boolean> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return false;
  }
  if (!isSocket) throw new Error(`${label}: the path exists and is not a socket`);
  if (await answers(path)) throw new Error(`${label}: another process listens there`);
  return true;
}

function answers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      done(true);
    });
    probe.once('error', () => done(false));
  });
}
