import type { LineEndpoint } from '../core/line-endpoint.js';
import type { IncomingCallInfo, ModemCallSink } from '../core/modem-port.js';
import type { Pbx } from './pbx.js';
import { PinGate } from './pin-gate.js';
import { AdminSession, type GateIo } from './session.js';

/**
 * The PBX side of a connected modem call: PIN first, then the same session
 * language as on a local admin port. Remote and local sessions share the
 * one Pbx, so what they change stays consistent.
 */
export class RemoteAccess implements ModemCallSink {
  readonly sessions = new Set<AdminSession>();
  /** Lines at the PIN prompt other than a PIN (the callback request hooks in here). */
  preLogin: ((line: string, io: GateIo, info: IncomingCallInfo) => boolean) | undefined;

  constructor(private readonly pbx: Pbx) {}

  acceptModemCall(line: LineEndpoint, info: IncomingCallInfo): void {
    const via = `${info.kind.toUpperCase()} ${info.caller || 'unknown'}`;
    const hook = this.preLogin;
    const gate = new PinGate(this.pbx, via, hook ? (text, io) => hook(text, io, info) : undefined);
    this.#run(new AdminSession(this.pbx, line, { channel: info.kind, port: via, gate }));
  }

  /** A connected callback (spec §3.3): the caller proved the code already, so no PIN; login still required. */
  acceptCallback(line: LineEndpoint, info: IncomingCallInfo): void {
    this.#run(new AdminSession(this.pbx, line, { channel: info.kind, port: `${info.kind.toUpperCase()} callback ${info.caller}` }));
  }

  #run(session: AdminSession): void {
    this.sessions.add(session);
    session.onClose(() => this.sessions.delete(session));
  }
}
