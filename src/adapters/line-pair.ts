import type { DceLines, DteLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * Two in-process LineEndpoints wired back to back: bytes written on one side
 * arrive on the other. Side `dce` is the modem/device side, side `dte` the
 * terminal side: DCE `setLines` is visible to the DTE through `dceLines`,
 * and the DTE raises DTR/RTS with `setDte`.
 *
 * Delivery is synchronous; callers that need virtual-time latency put the
 * pair behind the network's pacing.
 */
export interface LinePair {
  dce: LineEndpoint;
  dte: TerminalEndpoint;
}

/** The terminal side: a LineEndpoint plus the DTE's own control lines. */
export interface TerminalEndpoint extends LineEndpoint {
  setDte(lines: Partial<DteLines>): void;
  readonly dceLines: DceLines;
}

type Listener<T> = (value: T) => void;

class PairSide implements LineEndpoint {
  readonly #data: Listener<Uint8Array>[] = [];
  readonly #control: Listener<DteLines>[] = [];
  readonly #close: Listener<void>[] = [];
  peer!: PairSide;
  closed = false;
  dce: DceLines = { dcd: false, ri: false, dsr: true, cts: true };
  dte: DteLines = { dtr: true, rts: true };

  constructor(readonly description: string) {}

  write(data: Uint8Array | string): void {
    if (this.closed || this.peer.closed) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (bytes.length === 0) return;
    for (const l of this.peer.#data) l(bytes);
  }

  onData(listener: Listener<Uint8Array>): void {
    this.#data.push(listener);
  }

  setLines(lines: Partial<DceLines>): void {
    this.dce = { ...this.dce, ...lines };
    this.peer.dce = this.dce;
  }

  setDte(lines: Partial<DteLines>): void {
    this.dte = { ...this.dte, ...lines };
    this.peer.dte = this.dte;
    for (const l of this.peer.#control) l(this.dte);
  }

  get dceLines(): DceLines {
    return this.dce;
  }

  onControl(listener: Listener<DteLines>): void {
    this.#control.push(listener);
  }

  onClose(listener: () => void): void {
    this.#close.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.#close) l();
    this.peer.close();
  }
}

export function createLinePair(name = 'pair'): LinePair {
  const dce = new PairSide(`${name} (dce)`);
  const dte = new PairSide(`${name} (dte)`);
  dce.peer = dte;
  dte.peer = dce;
  return { dce, dte };
}
