import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { formatDatagramAddress, type DatagramAddress, type DatagramPort } from '../../core/datagram-port.js';
import { silentLogger, type Logger } from '../logger.js';

export interface UdpDatagramPortOptions {
  /** Local address to bind; default 127.0.0.1 (tests and the lab stay on loopback). */
  host?: string;
  /** Local port; 0 (default) lets the system choose, as a device's socket does. */
  port?: number;
  logger?: Logger;
  /** SO_RCVBUF: room for a burst while the process is busy (the centre's intake committing a batch); the system's default if unset. */
  receiveBufferBytes?: number;
  /** SO_SNDBUF: room for a burst sent at once (the fleet generator); the system's default if unset. */
  sendBufferBytes?: number;
}

/**
 * DatagramPort over a real UDP socket (`node:dgram`). IPv4 or IPv6 after the
 * local host. Sending never throws (core/datagram-port.ts): a datagram the
 * system refuses is gone, as on the wire (a name that does not resolve is
 * logged at debug level). Socket errors after binding (an ICMP error
 * surfacing, a buffer overflow) are logged and the port stays open.
 */
export class UdpDatagramPort implements DatagramPort {
  readonly #socket: Socket;
  readonly #logger: Logger;
  readonly #listeners: Array<(data: Uint8Array, from: DatagramAddress) => void> = [];
  #closed = false;
  #address: DatagramAddress;

  private constructor(socket: Socket, logger: Logger) {
    this.#socket = socket;
    this.#logger = logger;
    const a = socket.address();
    this.#address = { host: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => {
      if (this.#closed) return;
      const from = { host: rinfo.address, port: rinfo.port };
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      for (const l of this.#listeners) l(data, from);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A name that did not resolve for `send` (sent without a callback) surfaces here: dropped, as on the wire.
      if (err.syscall === 'send') this.#logger.debug({ err: err.message }, 'udp datagram dropped');
      else this.#logger.warn({ err: err.message }, 'udp socket error');
    });
  }

  /** Bind a socket; rejects with a clear Error when the address cannot be bound. */
  static open(options: UdpDatagramPortOptions = {}): Promise<UdpDatagramPort> {
    const host = options.host ?? '127.0.0.1';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', lookup: literalFirst });
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.close();
        reject(new Error(`cannot bind udp ${formatDatagramAddress({ host, port: options.port ?? 0 })}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`));
      };
      socket.once('error', onError);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', onError);
        if (options.receiveBufferBytes !== undefined) {
          try {
            socket.setRecvBufferSize(options.receiveBufferBytes);
          } catch {
            // The system caps it (net.core.rmem_max); its own size is still a working one.
          }
        }
        if (options.sendBufferBytes !== undefined) {
          try {
            socket.setSendBufferSize(options.sendBufferBytes);
          } catch {
            // Capped by net.core.wmem_max, as above.
          }
        }
        resolve(new UdpDatagramPort(socket, options.logger ?? silentLogger));
      });
    });
  }

  /** The bound local address (the port the system chose for port 0). */
  get address(): DatagramAddress {
    return { ...this.#address };
  }

  get description(): string {
    return `udp ${formatDatagramAddress(this.#address)}`;
  }

  send(data: Uint8Array, to: DatagramAddress): void {
    if (this.#closed) return;
    try {
      // No callback: node:dgram then makes no request object per datagram; a datagram the system refuses is dropped unseen, as on the wire.
      this.#socket.send(data, to.port, to.host);
    } catch (err) {
      // A bad port or host throws synchronously in node:dgram; a datagram port drops instead.
      this.#logger.debug({ err: (err as Error).message, to: formatDatagramAddress(to) }, 'udp datagram dropped');
    }
  }

  onMessage(listener: (data: Uint8Array, from: DatagramAddress) => void): void {
    this.#listeners.push(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The resolver node:dgram calls for every datagram sent: an address written
 * as an IP (every answer of the centre goes back to one) is taken as it is
 * at once, where `dns.lookup` would answer it a tick later, through a
 * closure and a `process.nextTick` per datagram; a name goes to the system's
 * resolver as before.
 */
export function literalFirst(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  dnsLookup(hostname, options, callback);
}
