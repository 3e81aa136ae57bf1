import type { TelnetMode } from './tcp-line-server.js';

/**
 * One place that parses a binding spec from the config or the command line
 * (see docs/serial-and-tcp.md), without loading what binds it (serialport,
 * socat, the TCP server): the configuration check and the CLI's option checks
 * use it alone; bindLine (server side) and connectLine (client side) take it.
 *
 *
 * - `tcp:[HOST:]PORT`     TCP listener, raw or Telnet/RFC 2217 (auto-detected); one endpoint per client
 * - `telnet:[HOST:]PORT`  the same, but we offer Telnet options first (for `telnet host port`)
 * - `serial:DEVICE[@BAUD]` a real serial device; one long-lived endpoint
 * - `pty:PATH`            a virtual serial port at PATH made with socat; one long-lived endpoint
 *
 * HOST defaults to 127.0.0.1; an IPv6 host is written in brackets: `tcp:[::1]:2323`.
 */

export type LineSpec =
  | { kind: 'tcp'; host: string; port: number; telnet: TelnetMode }
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'pty'; path: string };

/**
 * What the spec is for: a line this process offers (a binding, where port 0
 * lets the system choose) or one it connects to (`--connect`, `--modem`),
 * where a port must be named. Errors speak of the one the user wrote.
 */
export type LineRole = 'bind' | 'connect';

const ROLE_TEXT: Record<LineRole, { what: string; forms: string }> = {
  bind: { what: 'line binding', forms: 'tcp:[HOST:]PORT, telnet:[HOST:]PORT, serial:DEVICE[@BAUD] or pty:PATH' },
  connect: { what: 'line to connect to', forms: 'tcp:HOST:PORT, telnet:HOST:PORT, serial:DEVICE[@BAUD] or pty:PATH' },
};

export class LineSpecError extends Error {
  override readonly name = 'LineSpecError';

  constructor(
    readonly spec: string,
    reason: string,
    role: LineRole = 'bind',
  ) {
    super(`bad ${ROLE_TEXT[role].what} "${spec}": ${reason} (expected ${ROLE_TEXT[role].forms})`);
  }
}

const DEFAULT_HOST = '127.0.0.1';
/** A serial line's speed when the spec names none. */
export const DEFAULT_BAUD_RATE = 9600;
const MAX_PORT = 65535;
/** Above any UART a PC has; anything larger is a typo. */
const MAX_BAUD = 4_000_000;

export function parseLineSpec(spec: string, role: LineRole = 'bind'): LineSpec {
  const fail = (reason: string): never => {
    throw new LineSpecError(spec, reason, role);
  };
  const colon = spec.indexOf(':');
  if (colon < 0) fail('no kind before ":"');
  const kind = spec.slice(0, colon).toLowerCase();
  const rest = spec.slice(colon + 1);
  switch (kind) {
    case 'tcp':
    case 'telnet': {
      const { host, port } = parseHostPort(rest, role, fail);
      return { kind: 'tcp', host, port, telnet: kind === 'telnet' ? 'always' : 'auto' };
    }
    case 'serial': {
      const at = rest.lastIndexOf('@');
      const path = at < 0 ? rest : rest.slice(0, at);
      if (path === '') fail('no device path');
      let baudRate = DEFAULT_BAUD_RATE;
      if (at >= 0) {
        const b = rest.slice(at + 1);
        if (!/^\d+$/.test(b) || Number(b) < 1 || Number(b) > MAX_BAUD) fail(`baud rate "${b}" is not a number from 1 to ${MAX_BAUD}`);
        baudRate = Number(b);
      }
      return { kind: 'serial', path, baudRate };
    }
    case 'pty':
      if (rest === '') fail('no link path');
      return { kind: 'pty', path: rest };
    default:
      return fail(`unknown kind "${kind}"`);
  }
}

function parseHostPort(rest: string, role: LineRole, fail: (reason: string) => never): { host: string; port: number } {
  let host = DEFAULT_HOST;
  let portText = rest;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (rest.includes(':')) {
    const i = rest.lastIndexOf(':');
    host = rest.slice(0, i);
    portText = rest.slice(i + 1);
    if (host === '' || host.includes(':')) fail('host is empty or an unbracketed IPv6 address');
  } else if (role === 'connect' && rest !== '' && !/^\d+$/.test(rest)) {
    fail(`no port after the host "${rest}"`);
  }
  // Port 0 asks the system for a free port: a binding may, a connection cannot.
  const min = role === 'connect' ? 1 : 0;
  if (!/^\d+$/.test(portText) || Number(portText) < min || Number(portText) > MAX_PORT) fail(`port "${portText}" is not a number from ${min} to ${MAX_PORT}`);
  return { host, port: Number(portText) };
}
