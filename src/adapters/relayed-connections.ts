import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { StreamLine } from './stream-line.js';

/**
 * The first line a relay sends on each connection it forwards: where the
 * TCP connection came from, `FROM <address> <port>\n`. Everything after it
 * is the connection's bytes, both ways.
 */
export function relayHeader(address: string, port: number): string {
  return `FROM ${address} ${port}\n`;
}

const HEADER = /^FROM (\S+) (\d{1,5})$/;
/** A relay's header is one short line; anything longer is not a relay. */
const MAX_HEADER = 128;

/**
 * The receiving end of a LAN relay (lan-relay.ts): a Unix socket where the
 * relay in another network namespace hands over each TCP connection it
 * accepted, with its true source address first. Unix sockets are files, so
 * they join a process outside a namespace to one inside it — the lab sees
 * the PBX's LAN connections with the addresses the customer LAN saw.
 */
export class RelayedConnections {
  private constructor(private readonly server: Server, readonly path: string) {}

  static listen(path: string, onConnection: (line: LineEndpoint, source: string) => void): Promise<RelayedConnections> {
    rmSync(path, { force: true });
    const server = createServer((socket) => RelayedConnections.#accept(socket, onConnection));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve(new RelayedConnections(server, path));
      });
    });
  }

  static #accept(socket: Socket, onConnection: (line: LineEndpoint, source: string) => void): void {
    let head = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(0x0a);
      if (nl < 0) {
        if (head.length > MAX_HEADER) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const m = HEADER.exec(head.subarray(0, nl).toString('latin1'));
      if (!m) return void socket.destroy();
      const rest = head.subarray(nl + 1);
      socket.pause();
      const line = new StreamLine(socket, `lan ${m[1]}:${m[2]}`);
      onConnection(line, m[1]);
      // Bytes that came with the header are the connection's first bytes.
      if (rest.length) socket.unshift(rest);
      socket.resume();
    };
    socket.on('data', onData);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => {
      rmSync(this.path, { force: true });
      resolve();
    }));
  }
}
