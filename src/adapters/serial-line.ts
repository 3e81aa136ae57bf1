import { SerialPort } from 'serialport';
import { SerialPortStream, type OpenOptions } from '@serialport/stream';
import type { DceLines, DteLines } from '../../core/line-endpoint.js';
import { LineEndpointBase } from '../../core/line-endpoint-base.js';
import { silentLogger, type Logger } from '../logger.js';
import { DEFAULT_BAUD_RATE } from './line-spec.js';

/**
 * A real serial device as a LineEndpoint, with the simulator as the DCE.
 *
 * A PC's UART is a DTE: it cannot drive DCD, RI or DSR, it only outputs
 * DTR and RTS and reads CTS, DSR, DCD (and RI). So with a null-modem cable
 * wired
 *
 * ```
 *   our DTR  ---> peer DSR + peer DCD
 *   our RTS  ---> peer CTS
 *   our DSR + DCD <--- peer DTR
 *   our CTS  <--- peer RTS
 * ```
 *
 * the device's `dcd` drives our DTR (the peer sees DCD and DSR follow the
 * carrier), its `cts` drives our RTS; `dsr` and `ri` cannot be carried and
 * are ignored. The peer's DTR is read as our DSR or DCD, its RTS as our
 * CTS, by polling `get()` (a UART raises no event for them).
 *
 * Where the port has no modem lines (a pty: "Inappropriate ioctl for
 * device") the first failing `get()`/`set()` is logged at debug and the
 * lines are treated as absent from then on; the data path keeps working.
 */

/** Binding type serialport streams accept (native or @serialport/binding-mock). */
export type SerialBinding = OpenOptions['binding'];

export interface SerialLineOptions {
  path: string;
  /** Default 9600. */
  baudRate?: number;
  /** Default: serialport's native binding. Tests pass @serialport/binding-mock. */
  binding?: SerialBinding;
  /** false for a 3-wire cable: never touch or read modem lines, the peer's DTR counts as on. Default true. */
  modemLines?: boolean;
  /** How often the peer's DTR/RTS are read. Default 200 ms. */
  pollIntervalMs?: number;
  logger?: Logger;
}

const DEFAULT_POLL_MS = 200;

/** What the device drives before it says anything: powered, not connected. */
const INITIAL_LINES: DceLines = { dcd: false, ri: false, dsr: true, cts: true };

export class SerialLine extends LineEndpointBase {
  readonly description: string;
  readonly #logger: Logger;
  #lines: DceLines = { ...INITIAL_LINES };
  /** What we last told the UART, to skip redundant ioctls. */
  #driven: { dtr: boolean; rts: boolean } | undefined;
  /** The peer's lines as last read; assumed on until a read says otherwise, like a fresh TCP client. */
  #dte: DteLines = { dtr: true, rts: true };
  #linesPresent: boolean;
  #poll: NodeJS.Timeout | undefined;
  #polling = false;

  private constructor(
    readonly port: SerialPortStream,
    options: SerialLineOptions,
  ) {
    super();
    this.description = `serial ${options.path}@${options.baudRate ?? DEFAULT_BAUD_RATE}`;
    this.#logger = (options.logger ?? silentLogger).child({ line: this.description });
    this.#linesPresent = options.modemLines ?? true;
    port.on('data', (buf: Buffer) => this.emitData(buf));
    port.on('error', (err: Error) => this.#logger.warn({ err: err.message }, 'serial port error'));
    port.on('close', () => this.#fireClose());
    if (this.#linesPresent) {
      this.#drive();
      this.#poll = setInterval(() => this.#readPeer(), options.pollIntervalMs ?? DEFAULT_POLL_MS);
      this.#poll.unref();
      this.#readPeer();
    }
  }

  /** Open the device; rejects with a clear message if it cannot be opened. */
  static async open(options: SerialLineOptions): Promise<SerialLine> {
    const port = new SerialPortStream({
      binding: options.binding ?? SerialPort.binding,
      path: options.path,
      baudRate: options.baudRate ?? DEFAULT_BAUD_RATE,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      // serialport says "Error: No such file or directory, cannot open PATH": keep only the reason, the path is said once.
      port.open((err) => (err ? reject(new Error(`cannot open serial port ${options.path}: ${err.message.replace(/^Error: /, '').replace(/, cannot open .*$/, '').toLowerCase()}`)) : resolve())),
    );
    return new SerialLine(port, options);
  }

  write(data: Uint8Array | string): void {
    if (this.closed || !this.port.isOpen) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    if (bytes.length > 0) this.port.write(bytes);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.#lines = { ...this.#lines, ...lines };
    this.#drive();
  }

  close(): void {
    if (this.closed) return;
    if (this.port.isOpen) this.port.close((err) => err && this.#logger.debug({ err: err.message }, 'close failed'));
    this.#fireClose();
  }

  /** Our DTR/RTS outputs from the device's DCD/CTS, per the null-modem wiring above. */
  #drive(): void {
    if (!this.#linesPresent || this.closed) return;
    const want = { dtr: this.#lines.dcd, rts: this.#lines.cts };
    if (this.#driven && this.#driven.dtr === want.dtr && this.#driven.rts === want.rts) return;
    this.#driven = want;
    // set() writes every flag each call, so both outputs always travel together.
    this.port.set(want, (err) => err && this.#linesAbsent('set', err));
  }

  #readPeer(): void {
    if (!this.#linesPresent || this.closed || this.#polling) return;
    this.#polling = true;
    this.port.get((err, status) => {
      this.#polling = false;
      if (err || !status) return this.#linesAbsent('get', err ?? new Error('no status'));
      if (this.closed) return;
      const dte: DteLines = { dtr: status.dsr || status.dcd, rts: status.cts };
      if (dte.dtr === this.#dte.dtr && dte.rts === this.#dte.rts) return;
      this.#dte = dte;
      this.emitControl({ ...dte });
    });
  }

  #linesAbsent(op: string, err: Error): void {
    if (!this.#linesPresent || this.closed) return;
    this.#linesPresent = false;
    clearInterval(this.#poll);
    this.#logger.debug({ op, err: err.message }, 'no modem lines on this port; carrying data only');
  }

  #fireClose(): void {
    clearInterval(this.#poll);
    this.markClosed();
  }
}

