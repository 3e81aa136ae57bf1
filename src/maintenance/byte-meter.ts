import type { DceLines, DteLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * A LineEndpoint that counts what crosses it both ways, so each step of a
 * visit can record its bytes (docs/maintenance-plans.md: "output, bytes").
 */
export class ByteMeter implements LineEndpoint {
  /** Bytes written and received so far. */
  bytes = 0;

  readonly #listeners: Array<(data: Uint8Array) => void> = [];

  constructor(private readonly line: LineEndpoint) {
    // One listener below, however many above: each byte is counted once.
    line.onData((data) => {
      this.bytes += data.length;
      for (const l of this.#listeners) l(data);
    });
  }

  get description(): string {
    return this.line.description;
  }

  write(data: Uint8Array | string): void {
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    this.line.write(data);
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.#listeners.push(listener);
  }

  setLines(lines: Partial<DceLines>): void {
    this.line.setLines(lines);
  }

  onControl(listener: (lines: DteLines) => void): void {
    this.line.onControl(listener);
  }

  onClose(listener: () => void): void {
    this.line.onClose(listener);
  }

  close(): void {
    this.line.close();
  }
}
