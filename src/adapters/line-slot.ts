import type { DceLines, LineEndpoint } from '../../core/line-endpoint.js';
import { LineEndpointBase } from '../../core/line-endpoint-base.js';

/**
 * A modem's DTE connector that terminals plug into and out of: a TCP
 * client connecting is a terminal being switched on (DTR raised), its
 * disconnect is DTR dropping. The modem holds the slot for its whole life
 * and never sees the individual connections.
 */
export class LineSlot extends LineEndpointBase {
  readonly description: string;
  #plugged: LineEndpoint | undefined;
  #lines: Partial<DceLines> = {};

  constructor(description: string) {
    super();
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
      if (this.#plugged === endpoint) this.emitData(d);
    });
    endpoint.onControl((lines) => {
      if (this.#plugged === endpoint) this.emitControl(lines);
    });
    endpoint.onClose(() => this.#unplug(endpoint));
    this.emitControl({ dtr: true, rts: true });
    return true;
  }

  #unplug(endpoint: LineEndpoint): void {
    if (this.#plugged !== endpoint) return;
    this.#plugged = undefined;
    this.emitControl({ dtr: false, rts: false });
  }

  write(data: Uint8Array | string): void {
    this.#plugged?.write(data);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.#lines = { ...this.#lines, ...lines };
    this.#plugged?.setLines(lines);
  }

  /** A slot outlives its terminals: closing it unplugs the present one, and its own close listeners never fire. */
  close(): void {
    this.#plugged?.close();
  }
}
