import type { LineEndpoint } from '../../core/line-endpoint.js';

/**
 * The connections open through one device (a modem of the PBX), so that
 * resetting it can drop them all: each line is kept until it closes. An
 * array, not a Set: a modem has a line or two at a time, and a Set that a
 * PBX of a fleet fills and empties at every call rehashes each time, which
 * once its table is in the old generation leaves the obsolete tables there
 * holding the lines — every call's line was then copied out of the young
 * generation (the exchange's calls in progress, `Exchange`, are kept so
 * for the same reason).
 */
export class OpenLines {
  readonly #lines: LineEndpoint[] = [];

  add(line: LineEndpoint): void {
    this.#lines.push(line);
    line.onClose(() => {
      const i = this.#lines.indexOf(line);
      if (i >= 0) this.#lines.splice(i, 1);
    });
  }

  get size(): number {
    return this.#lines.length;
  }

  /** Close every open line (the device hangs up); returns how many there were. */
  closeAll(): number {
    const lines = this.#lines.slice();
    for (const line of lines) line.close();
    return lines.length;
  }
}
