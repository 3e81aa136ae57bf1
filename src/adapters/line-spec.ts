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

export class LineSpecError extends Error {
  override readonly name = 'LineSpecError';

  constructor(
    readonly spec: string,
    reason: string,
  ) {
    super(`bad line binding "${spec}": ${reason} (expected tcp:[HOST:]PORT, telnet:[HOST:]PORT, serial:DEVICE[@BAUD] or pty:PATH)`);
  }
}

const DEFAULT_HOST = '127.0.0.1';
/** A serial line's speed when the spec names none. */
export const DEFAULT_BAUD_RATE = 9600;
const MAX_PORT = 65535;
/** Above any UART a PC has; anything larger is a typo. */
const MAX_BAUD = 4_000_000;

export function parseLineSpec(spec: string): LineSpec {
  const colon = spec.indexOf(':');
  if (colon < 0) throw new LineSpecError(spec, 'no kind before ":"');
  const kind = spec.slice(0, colon).toLowerCase();
  const rest = spec.slice(colon + 1);
  switch (kind) {
    case 'tcp':
    case 'telnet': {
      const { host, port } = parseHostPort(spec, rest);
      return { kind: 'tcp', host, port, telnet: kind === 'telnet' ? 'always' : 'auto' };
    }
    case 'serial': {
      const at = rest.lastIndexOf('@');
      const path = at < 0 ? rest : rest.slice(0, at);
      if (path === '') throw new LineSpecError(spec, 'no device path');
      let baudRate = DEFAULT_BAUD_RATE;
      if (at >= 0) {
        const b = rest.slice(at + 1);
        if (!/^\d+$/.test(b) || Number(b) < 1 || Number(b) > MAX_BAUD) throw new LineSpecError(spec, `baud rate "${b}" is not a number from 1 to ${MAX_BAUD}`);
        baudRate = Number(b);
      }
      return { kind: 'serial', path, baudRate };
    }
    case 'pty':
      if (rest === '') throw new LineSpecError(spec, 'no link path');
      return { kind: 'pty', path: rest };
    default:
      throw new LineSpecError(spec, `unknown kind "${kind}"`);
  }
}

function parseHostPort(spec: string, rest: string): { host: string; port: number } {
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
    if (host === '' || host.includes(':')) throw new LineSpecError(spec, 'host is empty or an unbracketed IPv6 address');
  }
  if (!/^\d+$/.test(portText) || Number(portText) > MAX_PORT) throw new LineSpecError(spec, `port "${portText}" is not a number from 0 to ${MAX_PORT}`);
  return { host, port: Number(portText) };
}

