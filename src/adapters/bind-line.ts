import type { LineEndpoint } from '../../core/line-endpoint.js';
import { silentLogger, type Logger } from '../logger.js';
import { PtyLine } from './pty-line.js';
import { DEFAULT_BAUD_RATE, SerialLine, type SerialBinding } from './serial-line.js';
import { listenTcpLines, type TelnetMode } from './tcp-line-server.js';

/**
 * One place that turns a binding spec from the config or the command line
 * into endpoints (see docs/serial-and-tcp.md):
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

/** A bound binding: endpoints arrive through the callback given to `bindLine`. */
export interface LineProvider {
  readonly spec: LineSpec;
  /** Where users connect, for the start-up banner: "tcp 127.0.0.1:2323", "pty /tmp/hicom", "serial /dev/ttyUSB0@9600". */
  readonly description: string;
  /** Stop accepting, close every endpoint and release the port/socat. */
  close(): Promise<void>;
}

export interface BindLineOptions {
  logger?: Logger;
  /** TCP only: clients beyond this are refused with a message. */
  maxClients?: number;
  /** Serial only: a serialport binding other than the native one (tests). */
  binding?: SerialBinding;
  /** Serial only: false for a 3-wire cable (see SerialLine). */
  modemLines?: boolean;
}

/**
 * Bind a spec. TCP calls `onEndpoint` once per client; serial and pty call
 * it once, before the promise resolves, with a long-lived endpoint. Rejects
 * with LineSpecError for a bad spec and a clear Error when the port cannot
 * be opened (address in use, no such device, socat missing).
 */
export async function bindLine(spec: string | LineSpec, onEndpoint: (endpoint: LineEndpoint) => void, options: BindLineOptions = {}): Promise<LineProvider> {
  const parsed = typeof spec === 'string' ? parseLineSpec(spec) : spec;
  const logger = options.logger ?? silentLogger;
  switch (parsed.kind) {
    case 'tcp': {
      const server = await listenTcpLines({
        host: parsed.host,
        port: parsed.port,
        telnet: parsed.telnet,
        maxClients: options.maxClients,
        logger: logger.child({ listener: `tcp ${parsed.host}:${parsed.port}` }),
        onConnection: onEndpoint,
      }).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot listen on ${parsed.host}:${parsed.port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`);
      });
      return { spec: parsed, description: server.description, close: () => server.close() };
    }
    case 'serial': {
      const line = await SerialLine.open({ path: parsed.path, baudRate: parsed.baudRate, binding: options.binding, modemLines: options.modemLines, logger });
      onEndpoint(line);
      return { spec: parsed, description: line.description, close: async () => line.close() };
    }
    case 'pty': {
      const line = await PtyLine.open({ path: parsed.path, logger });
      onEndpoint(line);
      return { spec: parsed, description: line.description, close: () => line.dispose() };
    }
  }
}
