import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ioReason } from '../io-reason.js';
import { parseLineSpec, type LineSpec } from './line-spec.js';

export class ConnectError extends Error {
  override name = 'ConnectError';
}

/**
 * The client side of a line spec (docs/serial-and-tcp.md): connect to a TCP
 * listener (an admin port, a modem's DTE on a terminal server) or open a
 * serial device or pty, and return the byte stream. bindLine() is the
 * server side of the same specs.
 */
export async function connectLine(spec: string | LineSpec, options: { timeoutMs?: number } = {}): Promise<Duplex> {
  const parsed = typeof spec === 'string' ? parseLineSpec(spec, 'connect') : spec;
  const timeoutMs = options.timeoutMs ?? 10_000;
  switch (parsed.kind) {
    case 'tcp':
      return new Promise((resolve, reject) => {
        const socket = connect({ host: parsed.host, port: parsed.port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new ConnectError(`tcp:${parsed.host}:${parsed.port}: no connection within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.off('error', onError);
          resolve(socket);
        });
        const onError = (err: Error): void => {
          clearTimeout(timer);
          reject(new ConnectError(`tcp:${parsed.host}:${parsed.port}: ${ioReason(err)}`));
        };
        socket.once('error', onError);
      });
    case 'serial':
    case 'pty': {
      const baudRate = parsed.kind === 'serial' ? parsed.baudRate : 9600;
      // serialport (with its native binding) loads for a serial line only, not for every program that may connect one.
      const { ClosingSerialPort } = await import('./closing-serial-port.js');
      const port = new ClosingSerialPort({ path: parsed.path, baudRate, autoOpen: false });
      await new Promise<void>((resolve, reject) => {
        port.open((err) => (err ? reject(new ConnectError(`${parsed.kind}:${parsed.path}: ${err.message}`)) : resolve()));
      });
      return port;
    }
  }
}
