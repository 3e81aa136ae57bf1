import type { DceLines, DteLines, LineEndpoint } from './line-endpoint.js';

type Listener<T> = (value: T) => void;

/**
 * The listener plumbing every LineEndpoint shares, written once: the
 * onData/onControl/onClose lists and a close that is reported once.
 * A concrete endpoint (pty, serial, TCP, in-process pair, a network path,
 * an X.75 link) implements `write` and `close` and calls `emitData`,
 * `emitControl` and `markClosed` as its transport reports things.
 *
 * `setLines` defaults to a no-op and `onControl` then never fires: the
 * LineEndpoint contract for transports without modem lines.
 */
export abstract class LineEndpointBase implements LineEndpoint {
  abstract readonly description: string;
  readonly #data: Listener<Uint8Array>[] = [];
  readonly #control: Listener<DteLines>[] = [];
  readonly #close: Listener<void>[] = [];
  #closed = false;

  abstract write(data: Uint8Array | string): void;
  abstract close(): void;

  /** Closed, by either side; nothing is delivered or sent any more. */
  get closed(): boolean {
    return this.#closed;
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.#data.push(listener);
  }

  onControl(listener: (lines: DteLines) => void): void {
    this.#control.push(listener);
  }

  onClose(listener: () => void): void {
    this.#close.push(listener);
  }

  setLines(_lines: Partial<DceLines>): void {
    // No modem lines on this transport.
  }

  /** Received bytes, to every data listener; nothing once closed. */
  protected emitData(bytes: Uint8Array): void {
    if (this.#closed) return;
    for (const l of this.#data) l(bytes);
  }

  /** The DTE's lines changed. */
  protected emitControl(lines: DteLines): void {
    for (const l of this.#control) l(lines);
  }

  /**
   * The line is gone: mark it closed and tell the close listeners, once.
   * False when it was closed already. The data and close listeners are let
   * go, since neither is called again: a closed line that something still
   * points at (in a fleet, a dead holder in the old generation, until the
   * next full collection) then no longer keeps what its users hung on it.
   */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const l of this.#close) l();
    this.#data.length = 0;
    this.#close.length = 0;
    return true;
  }
}

/** What `write()` takes, as bytes: strings are Latin-1, one byte per character, as on a serial line. */
export function lineBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}
