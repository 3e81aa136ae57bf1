import { connect, createServer, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { relayHeader } from './relayed-connections.js';

export interface LanRelayOptions {
  /** The LAN address to listen on (inside the customer's network namespace). */
  host: string;
  /** 0 picks a free port; the first line written to `out` names it. */
  port: number;
  /** The lab's Unix socket (relayed-connections.ts) each connection is handed to. */
  socketPath: string;
  /** Gets `listening HOST:PORT` once bound. */
  out: Writable;
  /** The relay ends when this ends: the lab holds the other end, so a lab that dies takes its relays with it. */
  lifeline: Readable;
}

/**
 * The LAN side of a lab PBX's teleservice port, run by the lab inside the
 * customer LAN's network namespace (`ip netns exec … hicom-sim lab lan-relay`,
 * docs/lan-teleservice.md): it listens on the PBX's LAN address and hands
 * every TCP connection, with the source address the customer LAN saw, to
 * the lab over a Unix socket. It checks nothing itself — the PBX decides.
 */
export function runLanRelay(options: LanRelayOptions): Promise<void> {
  const open = new Set<Socket>();
  const server = createServer((tcp) => {
    open.add(tcp);
    const unix = connect(options.socketPath);
    open.add(unix);
    const done = (): void => {
      tcp.destroy();
      unix.destroy();
      open.delete(tcp);
      open.delete(unix);
    };
    for (const s of [tcp, unix]) {
      s.on('error', done);
      s.on('close', done);
    }
    unix.write(relayHeader(tcp.remoteAddress ?? '', tcp.remotePort ?? 0));
    tcp.pipe(unix);
    unix.pipe(tcp);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const a = server.address();
      options.out.write(`listening ${options.host}:${typeof a === 'object' && a ? a.port : options.port}\n`);
      const stop = (): void => {
        server.close();
        for (const s of open) s.destroy();
        resolve();
      };
      options.lifeline.on('end', stop);
      options.lifeline.on('close', stop);
      options.lifeline.on('error', stop);
      options.lifeline.resume();
    });
  });
}
