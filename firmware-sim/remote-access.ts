import type { LineEndpoint } from '../core/line-endpoint.js';
import type { IncomingCallInfo, ModemCallSink } from '../core/modem-port.js';
import type { Pbx } from './pbx.js';
import { PinGate } from './pin-gate.js';
import { LogAppendError } from './protocol-log.js';
import { AdminSession, type GateIo } from './session.js';

/** The protocol log's user for a LAN connection refused before any prompt (like "(pin)" for a wrong PIN). */
export const LAN_REFUSED_USER = '(lan)';

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

  /**
   * A TCP connection on the LAN teleservice port (spec §5.4,
   * docs/lan-teleservice.md). The adapter hands over the connection's
   * source address; the PBX takes it only while `lan.teleservice` is on and
   * the source lies in `lan.service-network` (asked through the injected
   * AddressRules). Anything else is logged as an unauthorized attempt (A0-3)
   * and the line is closed before a single byte is sent — no banner, no
   * prompt. An admitted connection gets the modem's rules: the customer PIN
   * (the default opens nothing), then a login. Returns whether it was taken.
   */
  acceptLan(line: LineEndpoint, source: string): boolean {
    const kds = this.pbx.kds;
    const via = `LAN ${source}`;
    const refusal = !kds.flag('lan.teleservice')
      ? 'teleservice off'
      : !this.pbx.addressRules?.admits(source, kds.get('lan.service-network') ?? '')
        ? 'not in the service network'
        : undefined;
    if (refusal) {
      try {
        this.pbx.audit({ user: LAN_REFUSED_USER, circle: undefined }, 3, `A0-3 ${via} refused: ${refusal}`);
      } catch (err) {
        // A full or missing log refuses all the same.
        if (!(err instanceof LogAppendError)) throw err;
      }
      line.close();
      return false;
    }
    this.#run(new AdminSession(this.pbx, line, { channel: 'lan', port: via, gate: new PinGate(this.pbx, via) }));
    return true;
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
