import type { LineEndpoint } from '../core/line-endpoint.js';
import type { IncomingCallInfo, ModemCallSink } from '../core/modem-port.js';
import type { Pbx } from './pbx.js';
import { PinGate } from './pin-gate.js';
import { AdminSession, type GateIo } from './session.js';

/** Takes a line typed at the PIN prompt other than a PIN; true when it consumed the line. */
export type PreLoginHook = (line: string, io: GateIo, info: IncomingCallInfo) => boolean;

export interface RemoteAccessOptions {
  /** Lines at the PIN prompt other than a PIN (the callback request, callback-scheduler.ts). */
  preLogin?: PreLoginHook;
}

/**
 * The PBX side of a connected modem call: PIN first, then the same session
 * language as on a local admin port. Remote and local sessions share the
 * one Pbx, so what they change stays consistent.
 */
export class RemoteAccess implements ModemCallSink {
  readonly sessions = new Set<AdminSession>();
  readonly #preLogin: PreLoginHook | undefined;

  constructor(
    private readonly pbx: Pbx,
    options: RemoteAccessOptions = {},
  ) {
    this.#preLogin = options.preLogin;
  }

  acceptModemCall(line: LineEndpoint, info: IncomingCallInfo): void {
    const via = `${info.kind.toUpperCase()} ${info.caller || 'unknown'}`;
    const hook = this.#preLogin;
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
