import type { Duplex } from 'node:stream';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';

/**
 * A client byte stream (from `connectLine`: TCP socket, serial device, pty)
 * as a LineEndpoint, for programs on the DTE side of a modem such as the
 * centre receiver. The stream carries no modem lines: `setLines` is a no-op
 * and `onControl` never fires (docs/serial-and-tcp.md, "absent lines").
 */
export class StreamLine extends LineEndpointBase {
  #reading = false;

  constructor(private readonly stream: Duplex, readonly description: string) {
    super();
    stream.on('close', () => this.markClosed());
    stream.on('end', () => this.markClosed());
    // A reset connection is an ended line, reported through onClose, never a crash.
    stream.on('error', () => this.markClosed());
  }

  write(data: Uint8Array | string): void {
    if (this.closed || this.stream.destroyed) return;
    this.stream.write(lineBytes(data));
  }

  /** The stream starts flowing with the first listener, so nothing that arrives before it is lost. */
  override onData(listener: (data: Uint8Array) => void): void {
    super.onData(listener);
    if (this.#reading) return;
    this.#reading = true;
    this.stream.on('data', (chunk: Buffer) => this.emitData(chunk));
  }

  close(): void {
    this.stream.destroy();
    this.markClosed();
  }
}
