import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { ioReason } from '../io-reason.js';
import { parseLineSpec, type LineSpec } from './line-spec.js';

export class ConnectError extends Error {
  override name = 'ConnectError';
}

/**
 * A SerialPort whose `destroy()` closes the device. @serialport/stream 13
 * has no `_destroy`: a destroyed port kept its descriptor open and its
 * native poller waiting for "readable", which keeps the event loop alive
 * though no handle shows in `process.getActiveResourcesInfo()`, so
 * `centre receive --modem pty:…` printed "centre stopped" and never exited.
 */
class ClosingSerialPort extends SerialPort {
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.isOpen) {
      callback(error);
      return;
    }
    this.close(() => callback(error));
  }
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
      const port = new ClosingSerialPort({ path: parsed.path, baudRate, autoOpen: false });
      await new Promise<void>((resolve, reject) => {
        port.open((err) => (err ? reject(new ConnectError(`${parsed.kind}:${parsed.path}: ${err.message}`)) : resolve()));
      });
      return port;
    }
  }
}
