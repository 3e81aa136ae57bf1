import type { DceLines, DteLines } from '../../core/line-endpoint.js';
import type { Logger } from '../logger.js';

/**
 * The access-server side of the Telnet COM-PORT-OPTION (RFC 2217): the
 * client (pyserial's `rfc2217://`, a terminal server's redirector) sets
 * "port" parameters and DTR/RTS, and we report the modem lines the device
 * drives (DCD, RI, DSR, CTS) with NOTIFY-MODEMSTATE.
 *
 * There is no UART behind it, so baud rate, data size, parity, stop size,
 * flow control and purges are accepted and acknowledged with the value now
 * in effect; only DTR and RTS reach the device (as `onControl`), and only
 * flow-control suspend/resume changes what we send.
 */

/** Client-to-server command codes, RFC 2217 §"Com Port Option Commands"; the server answers with code + 100. */
export enum ComPortCommand {
  Signature = 0,
  SetBaudrate = 1,
  SetDatasize = 2,
  SetParity = 3,
  SetStopsize = 4,
  SetControl = 5,
  NotifyLinestate = 6,
  NotifyModemstate = 7,
  FlowcontrolSuspend = 8,
  FlowcontrolResume = 9,
  SetLinestateMask = 10,
  SetModemstateMask = 11,
  PurgeData = 12,
}

/** Offset of a server reply code from the client's command code (RFC 2217). */
export const SERVER_OFFSET = 100;

/** NOTIFY-MODEMSTATE bits, RFC 2217. */
export const MODEMSTATE_DCD = 0x80; // receive line signal detect
export const MODEMSTATE_RI = 0x40;
export const MODEMSTATE_DSR = 0x20;
export const MODEMSTATE_CTS = 0x10;
export const MODEMSTATE_DELTA_DCD = 0x08;
export const MODEMSTATE_TRAILING_RI = 0x04; // ring indicator went from on to off
export const MODEMSTATE_DELTA_DSR = 0x02;
export const MODEMSTATE_DELTA_CTS = 0x01;

/** Initial masks, RFC 2217: all modem-state changes notified, no line-state ones. */
const DEFAULT_MODEMSTATE_MASK = 0xff;
const DEFAULT_LINESTATE_MASK = 0x00;

/** SET-CONTROL values, RFC 2217. */
enum Control {
  FlowRequest = 0,
  FlowNone = 1,
  FlowXonXoff = 2,
  FlowHardware = 3,
  BreakRequest = 4,
  BreakOn = 5,
  BreakOff = 6,
  DtrRequest = 7,
  DtrOn = 8,
  DtrOff = 9,
  RtsRequest = 10,
  RtsOn = 11,
  RtsOff = 12,
  InboundRequest = 13,
  InboundNone = 14,
  InboundXonXoff = 15,
  InboundHardware = 16,
  FlowDcd = 17,
  FlowDtr = 18,
  FlowDsr = 19,
}

const OUTBOUND_FLOW = new Set<number>([Control.FlowNone, Control.FlowXonXoff, Control.FlowHardware, Control.FlowDcd, Control.FlowDtr, Control.FlowDsr]);
const INBOUND_FLOW = new Set<number>([Control.InboundNone, Control.InboundXonXoff, Control.InboundHardware]);

/** Valid SET-PARITY (1 none … 5 space), SET-STOPSIZE (1, 2, 3 = 1.5) and SET-DATASIZE values. */
const PARITIES = new Set([1, 2, 3, 4, 5]);
const STOPSIZES = new Set([1, 2, 3]);
const DATASIZES = new Set([5, 6, 7, 8]);
/** PURGE-DATA: 1 receive buffer, 2 transmit buffer, 3 both. */
const PURGES = new Set([1, 2, 3]);

const SIGNATURE = 'hicom-sim';

export interface ComPortServerHandlers {
  /** Send a COM-PORT-OPTION subnegotiation payload (command code first). */
  send(payload: Uint8Array): void;
  /** The client's DTR/RTS changed. */
  control(lines: DteLines): void;
  /** Client asked us to stop (true) or resume (false) sending data. */
  flow(suspended: boolean): void;
}

export class ComPortServer {
  #baud = 9600;
  #datasize = 8;
  #parity = 1;
  #stopsize = 1;
  #outboundFlow: number = Control.FlowNone;
  #inboundFlow: number = Control.InboundNone;
  #break = false;
  #dte: DteLines = { dtr: true, rts: true };
  #modemMask = DEFAULT_MODEMSTATE_MASK;
  #lineMask = DEFAULT_LINESTATE_MASK;
  #lines: DceLines;
  #started = false;

  constructor(
    readonly handlers: ComPortServerHandlers,
    lines: DceLines,
    readonly logger: Logger,
  ) {
    this.#lines = { ...lines };
  }

  get dte(): DteLines {
    return this.#dte;
  }

  /** The option is agreed: tell the client the present line state at once (pyserial needs one before it reports lines). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#notify(0, true);
  }

  /** The device changed its lines: notify the deltas the client's mask asks for. */
  setLines(lines: DceLines): void {
    const old = this.#lines;
    this.#lines = { ...lines };
    if (!this.#started) return;
    let delta = 0;
    if (old.dcd !== lines.dcd) delta |= MODEMSTATE_DELTA_DCD;
    if (old.dsr !== lines.dsr) delta |= MODEMSTATE_DELTA_DSR;
    if (old.cts !== lines.cts) delta |= MODEMSTATE_DELTA_CTS;
    if (old.ri && !lines.ri) delta |= MODEMSTATE_TRAILING_RI;
    // RI going on has no delta bit; the state bit itself is worth a notification.
    const riRose = !old.ri && lines.ri;
    this.#notify(delta, riRose && (this.#modemMask & MODEMSTATE_RI) !== 0);
  }

  /** A COM-PORT-OPTION subnegotiation from the client (command code first). */
  handle(payload: Uint8Array): void {
    if (payload.length === 0) return;
    const cmd = payload[0];
    const arg = payload.subarray(1);
    const byte = arg.length > 0 ? arg[0] : 0;
    switch (cmd) {
      case ComPortCommand.Signature:
        if (arg.length === 0) this.#reply(cmd, Buffer.from(SIGNATURE, 'latin1'));
        else this.logger.debug({ signature: Buffer.from(arg).toString('latin1') }, 'rfc2217 client signature');
        return;
      case ComPortCommand.SetBaudrate: {
        if (arg.length < 4) return this.#malformed(cmd);
        const baud = Buffer.from(arg).readUInt32BE(0);
        if (baud !== 0) this.#baud = baud;
        const out = Buffer.alloc(4);
        out.writeUInt32BE(this.#baud);
        return this.#reply(cmd, out);
      }
      case ComPortCommand.SetDatasize:
        if (DATASIZES.has(byte)) this.#datasize = byte;
        return this.#reply(cmd, [this.#datasize]);
      case ComPortCommand.SetParity:
        if (PARITIES.has(byte)) this.#parity = byte;
        return this.#reply(cmd, [this.#parity]);
      case ComPortCommand.SetStopsize:
        if (STOPSIZES.has(byte)) this.#stopsize = byte;
        return this.#reply(cmd, [this.#stopsize]);
      case ComPortCommand.SetControl:
        return this.#reply(cmd, [this.#control(byte)]);
      case ComPortCommand.NotifyLinestate:
        // A poll: no UART errors exist here, so the line state is always clean.
        return this.#reply(cmd, [0]);
      case ComPortCommand.NotifyModemstate:
        // Not defined client-to-server by RFC 2217, but pyserial polls with it.
        return this.#notify(0, true);
      case ComPortCommand.FlowcontrolSuspend:
        return this.handlers.flow(true);
      case ComPortCommand.FlowcontrolResume:
        return this.handlers.flow(false);
      case ComPortCommand.SetLinestateMask:
        this.#lineMask = byte;
        return this.#reply(cmd, [this.#lineMask]);
      case ComPortCommand.SetModemstateMask:
        this.#modemMask = byte;
        return this.#reply(cmd, [this.#modemMask]);
      case ComPortCommand.PurgeData:
        // Nothing is buffered between us and the device; acknowledge what was asked.
        return this.#reply(cmd, [PURGES.has(byte) ? byte : 0]);
      default:
        this.logger.debug({ cmd }, 'rfc2217 command not known, ignored');
    }
  }

  /** Apply a SET-CONTROL value; returns the value that answers it. */
  #control(value: number): number {
    const before = this.#dte;
    switch (value) {
      case Control.FlowRequest:
        return this.#outboundFlow;
      case Control.BreakRequest:
        return this.#break ? Control.BreakOn : Control.BreakOff;
      case Control.BreakOn:
      case Control.BreakOff:
        this.#break = value === Control.BreakOn;
        return value;
      case Control.DtrRequest:
        return this.#dte.dtr ? Control.DtrOn : Control.DtrOff;
      case Control.DtrOn:
      case Control.DtrOff:
        this.#dte = { ...before, dtr: value === Control.DtrOn };
        break;
      case Control.RtsRequest:
        return this.#dte.rts ? Control.RtsOn : Control.RtsOff;
      case Control.RtsOn:
      case Control.RtsOff:
        this.#dte = { ...before, rts: value === Control.RtsOn };
        break;
      case Control.InboundRequest:
        return this.#inboundFlow;
      default:
        if (OUTBOUND_FLOW.has(value)) this.#outboundFlow = value;
        else if (INBOUND_FLOW.has(value)) this.#inboundFlow = value;
        else return this.#outboundFlow; // unknown value: answer with what is in effect
        return value;
    }
    if (before.dtr !== this.#dte.dtr || before.rts !== this.#dte.rts) this.handlers.control(this.#dte);
    return value;
  }

  #notify(delta: number, force: boolean): void {
    if (!this.#started) return;
    if (!force && (delta & this.#modemMask) === 0) return;
    const l = this.#lines;
    const state =
      (l.dcd ? MODEMSTATE_DCD : 0) | (l.ri ? MODEMSTATE_RI : 0) | (l.dsr ? MODEMSTATE_DSR : 0) | (l.cts ? MODEMSTATE_CTS : 0) | delta;
    this.#reply(ComPortCommand.NotifyModemstate, [state & this.#modemMask]);
  }

  #reply(cmd: number, value: Uint8Array | number[]): void {
    this.handlers.send(Uint8Array.from([cmd + SERVER_OFFSET, ...value]));
  }

  #malformed(cmd: number): void {
    this.logger.debug({ cmd }, 'rfc2217 command too short, ignored');
  }
}
