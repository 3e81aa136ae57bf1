import type { LineEndpoint } from '../../core/line-endpoint.js';
import { silentLogger, type Logger } from '../logger.js';
import { PtyLine } from './pty-line.js';
import { SerialLine, type SerialBinding } from './serial-line.js';
import { listenTcpLines } from './tcp-line-server.js';
import { parseLineSpec, type LineSpec } from './line-spec.js';

/**
 * The server side of a binding spec (line-spec.ts parses it): a TCP
 * listener, a real serial device or a socat pty. connectLine() is the
 * client side of the same specs.
 */
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
