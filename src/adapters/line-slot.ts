import type { DceLines, DteLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * A modem's DTE connector that terminals plug into and out of: a TCP
 * client connecting is a terminal being switched on (DTR raised), its
 * disconnect is DTR dropping. The modem holds the slot for its whole life
 * and never sees the individual connections.
 */
export class LineSlot implements LineEndpoint {
  readonly description: string;
  #plugged: LineEndpoint | undefined;
  #lines: Partial<DceLines> = {};
  readonly #data: Array<(d: Uint8Array) => void> = [];
  readonly #control: Array<(l: DteLines) => void> = [];

  constructor(description: string) {
    this.description = description;
  }

  get plugged(): boolean {
    return this.#plugged !== undefined;
  }

  /** Attach a terminal; false (and nothing changes) when one is attached already. */
  plug(endpoint: LineEndpoint): boolean {
    if (this.#plugged) return false;
    this.#plugged = endpoint;
    endpoint.setLines(this.#lines);
    endpoint.onData((d) => {
      if (this.#plugged === endpoint) for (const l of this.#data) l(d);
    });
    endpoint.onControl((lines) => {
      if (this.#plugged === endpoint) for (const l of this.#control) l(lines);
    });
    endpoint.onClose(() => this.#unplug(endpoint));
    for (const l of this.#control) l({ dtr: true, rts: true });
    return true;
  }

  #unplug(endpoint: LineEndpoint): void {
    if (this.#plugged !== endpoint) return;
    this.#plugged = undefined;
    for (const l of this.#control) l({ dtr: false, rts: false });
  }

  write(data: Uint8Array | string): void {
    this.#plugged?.write(data);
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.#data.push(listener);
  }

  setLines(lines: Partial<DceLines>): void {
    this.#lines = { ...this.#lines, ...lines };
    this.#plugged?.setLines(lines);
  }

  onControl(listener: (lines: DteLines) => void): void {
    this.#control.push(listener);
  }

  onClose(): void {
    // A slot outlives its terminals; it never closes on its own.
  }

  close(): void {
    this.#plugged?.close();
  }
}
