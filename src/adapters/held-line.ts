import type { DceLines, LineEndpoint } from '../../core/line-endpoint.js';
import { LineEndpointBase } from '../../core/line-endpoint-base.js';

/**
 * An in-process line that keeps what arrives before anyone listens, as a
 * socket's receive buffer does: the far end of an in-process connection
 * (a PBX greeting on its LAN teleservice port, or refusing and closing) acts
 * the moment it is connected, before the caller got the line back to
 * listen on it. What was held — bytes, then a close — is handed on in a
 * microtask after the first data listener came, so a caller that sets up
 * its listeners in one go (data and close) sees everything, and no virtual
 * clock can move on in between.
 */
export class HeldLine extends LineEndpointBase {
  readonly #held: Uint8Array[] = [];
  #listening = false;
  #closedEarly = false;

  constructor(private readonly inner: LineEndpoint) {
    super();
    inner.onData((d) => {
      if (this.#listening) this.emitData(d);
      else this.#held.push(d);
    });
    inner.onClose(() => {
      if (this.#listening) this.markClosed();
      else this.#closedEarly = true;
    });
  }

  get description(): string {
    return this.inner.description;
  }

  override onData(listener: (data: Uint8Array) => void): void {
    super.onData(listener);
    if (this.#listening) return;
    queueMicrotask(() => {
      this.#listening = true;
      for (const d of this.#held.splice(0)) this.emitData(d);
      if (this.#closedEarly) this.markClosed();
    });
  }

  write(data: Uint8Array | string): void {
    this.inner.write(data);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.inner.setLines(lines);
  }

  close(): void {
    this.inner.close();
  }
}
