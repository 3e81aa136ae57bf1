import type { LineEndpoint } from '../../core/line-endpoint.js';

/**
 * The connections open through one device (a modem of the PBX), so that
 * resetting it can drop them all: each line is kept until it closes.
 */
export class OpenLines {
  readonly #lines = new Set<LineEndpoint>();

  add(line: LineEndpoint): void {
    this.#lines.add(line);
    line.onClose(() => this.#lines.delete(line));
  }

  get size(): number {
    return this.#lines.size;
  }

  /** Close every open line (the device hangs up); returns how many there were. */
  closeAll(): number {
    const lines = [...this.#lines];
    for (const line of lines) line.close();
    return lines.length;
  }
}
