/**
 * A datagram socket as firmware sees it: send bytes to an address, receive
 * bytes with the sender's address. The key depot and the PBX's LAN option
 * talk to the centre through it and never know whether a real UDP socket
 * (`src/adapters/udp-datagram-port.ts`) or an in-process fake is behind it.
 *
 * Contract:
 * - `send()` never throws: a datagram that cannot leave (no route, socket
 *   closed, too large for the transport) is dropped, as UDP drops it. It is
 *   fire-and-forget; delivery is never promised.
 * - `onMessage` listeners get every datagram that arrives, whole, with the
 *   address it came from, in arrival order. A real adapter delivers them
 *   from the event loop, an in-process one may deliver inside `send()`.
 * - After `close()` nothing is sent and nothing delivered.
 */
export interface DatagramPort {
  send(data: Uint8Array, to: DatagramAddress): void;
  onMessage(listener: (data: Uint8Array, from: DatagramAddress) => void): void;
  close(): void;
  /** Human-readable local end for logs, e.g. "udp 127.0.0.1:40123". */
  readonly description: string;
}

export interface DatagramAddress {
  host: string;
  port: number;
}

export class DatagramAddressError extends Error {
  override name = 'DatagramAddressError';
}

/**
 * Parse `HOST:PORT` (IPv6 in brackets: `[::1]:4000`), as the centre
 * address is written in a PBX's KDS, a lab configuration and on the
 * command line. Port 1–65535; the host is taken as written.
 */
export function parseDatagramAddress(text: string): DatagramAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw notAnAddress(text);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new DatagramAddressError(`"${text}": port ${port} is not 1–65535`);
  return { host: m[1] ?? m[2], port };
}

/**
 * An address to bind (`centre serve --udp`, the lab's `centre.udp`): as
 * `parseDatagramAddress`, and port 0 as well — a free port the system
 * chooses (tests, several services on one machine), printed once bound.
 */
export function parseBindAddress(text: string): DatagramAddress {
  const t = text.trim();
  if (!/:0$/.test(t)) return parseDatagramAddress(t);
  try {
    return { ...parseDatagramAddress(t.replace(/:0$/, ':1')), port: 0 };
  } catch {
    // Say what was written (`::1:0`), not the port-1 stand-in it was checked as.
    throw notAnAddress(text);
  }
}

const notAnAddress = (text: string) => new DatagramAddressError(`"${text}" is not HOST:PORT (IPv6 as [ADDR]:PORT)`);

export function formatDatagramAddress(a: DatagramAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
