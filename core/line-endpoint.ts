/**
 * One end of a byte line with modem control lines: a serial port, a pty, a
 * TCP connection, or one side of an in-process pair. Devices (a PBX admin
 * port, a modem's DTE side) talk to a LineEndpoint and never know what is at
 * the far end.
 *
 * Contract:
 * - `write()` never throws for a closed line; bytes are dropped.
 * - `onData` listeners get bytes in order, split at arbitrary boundaries.
 * - Control lines are seen from the DCE (modem) side: the device sets DCD, RI,
 *   DSR, CTS with `setLines`; the DTE's DTR/RTS arrive through `onControl`.
 *   Where the transport has no control lines (a pty, raw TCP) `setLines` is a
 *   no-op and `onControl` never fires: absent lines are never an error.
 * - `onClose` fires once, when the far end goes away or `close()` is called.
 */
export interface LineEndpoint {
  write(data: Uint8Array | string): void;
  onData(listener: (data: Uint8Array) => void): void;
  setLines(lines: Partial<DceLines>): void;
  onControl(listener: (lines: DteLines) => void): void;
  onClose(listener: () => void): void;
  close(): void;
  /** Human-readable description for logs, e.g. "tcp 127.0.0.1:51234". */
  readonly description: string;
}

/** Lines driven by the modem (DCE). */
export interface DceLines {
  dcd: boolean;
  ri: boolean;
  dsr: boolean;
  cts: boolean;
}

/** Lines driven by the terminal (DTE). */
export interface DteLines {
  dtr: boolean;
  rts: boolean;
}
