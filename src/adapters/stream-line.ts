import type { Duplex } from 'node:stream';
import type { DceLines, DteLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * A client byte stream (from `connectLine`: TCP socket, serial device, pty)
 * as a LineEndpoint, for programs on the DTE side of a modem such as the
 * centre receiver. The stream carries no modem lines: `setLines` is a no-op
 * and `onControl` never fires (docs/serial-and-tcp.md, "absent lines").
 */
export class StreamLine implements LineEndpoint {
  readonly #close: Array<() => void> = [];
  #closed = false;

  constructor(private readonly stream: Duplex, readonly description: string) {
    stream.on('close', () => this.#ended());
    stream.on('end', () => this.#ended());
    // A reset connection is an ended line, reported through onClose, never a crash.
    stream.on('error', () => this.#ended());
  }

  write(data: Uint8Array | string): void {
    if (this.#closed || this.stream.destroyed) return;
    this.stream.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.stream.on('data', (chunk: Buffer) => listener(chunk));
  }

  setLines(_lines: Partial<DceLines>): void {
    // No modem lines on a plain stream.
  }

  onControl(_listener: (lines: DteLines) => void): void {
    // No modem lines on a plain stream.
  }

  onClose(listener: () => void): void {
    this.#close.push(listener);
  }

  close(): void {
    this.stream.destroy();
    this.#ended();
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#close) l();
  }
}
