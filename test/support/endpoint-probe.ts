import type { DteLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * Records what a LineEndpoint delivers so a test can wait for it: received
 * bytes, DTR/RTS changes, close. Waits are event-driven with a deadline.
 */
export class EndpointProbe {
  received = Buffer.alloc(0);
  readonly controls: DteLines[] = [];
  closeCount = 0;
  readonly closed: Promise<void>;
  #wake: Array<() => void> = [];

  constructor(readonly endpoint: LineEndpoint) {
    endpoint.onData((d) => {
      this.received = Buffer.concat([this.received, d]);
      this.#notify();
    });
    endpoint.onControl((l) => {
      this.controls.push(l);
      this.#notify();
    });
    this.closed = new Promise((resolve) =>
      endpoint.onClose(() => {
        this.closeCount++;
        resolve();
        this.#notify();
      }),
    );
  }

  /** Wait until the received bytes contain `needle`. */
  waitForData(needle: string | Uint8Array, timeoutMs = 5000): Promise<void> {
    const n = typeof needle === 'string' ? Buffer.from(needle, 'latin1') : Buffer.from(needle);
    return this.waitUntil(() => this.received.includes(n), `data ${JSON.stringify(n.toString('latin1'))} (have ${JSON.stringify(this.received.toString('latin1'))})`, timeoutMs);
  }

  /** Wait until some control change satisfies `test`. */
  waitForControl(test: (l: DteLines) => boolean, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.controls.some(test), `control change (have ${JSON.stringify(this.controls)})`, timeoutMs);
  }

  async waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #notify(): void {
    for (const w of this.#wake.splice(0)) w();
  }
}
