import type { DceLines, DteLines, LineEndpoint } from '../../core/line-endpoint.js';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';

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
  /** Closed, by either side. */
  readonly closed: boolean;
}

class PairSide extends LineEndpointBase {
  peer!: PairSide;
  dce: DceLines = { dcd: false, ri: false, dsr: true, cts: true };
  dte: DteLines = { dtr: true, rts: true };

  constructor(readonly description: string) {
    super();
  }

  write(data: Uint8Array | string): void {
    if (this.closed || this.peer.closed) return;
    const bytes = lineBytes(data);
    if (bytes.length > 0) this.peer.emitData(bytes);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.dce = { ...this.dce, ...lines };
    this.peer.dce = this.dce;
  }

  setDte(lines: Partial<DteLines>): void {
    this.dte = { ...this.dte, ...lines };
    this.peer.dte = this.dte;
    this.peer.emitControl(this.dte);
  }

  get dceLines(): DceLines {
    return this.dce;
  }

  close(): void {
    if (this.markClosed()) this.peer.close();
  }
}

export function createLinePair(name = 'pair'): LinePair {
  const dce = new PairSide(`${name} (dce)`);
  const dte = new PairSide(`${name} (dte)`);
  dce.peer = dte;
  dte.peer = dce;
  return { dce, dte };
}
