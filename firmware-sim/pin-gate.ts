import type { Pbx } from './pbx.js';
import { verifySecret } from './secret-hash.js';
import type { GateIo, SessionGate } from './session.js';

/** Wrong PINs after which the PBX hangs up (the caller may dial again). */
export const PIN_ATTEMPTS = 3;

/**
 * The customer PIN in front of every modem session (spec §3.2): five
 * digits, checked after Enter; the delivered default ("XXXXX", stored as
 * no PIN) opens nothing. Each wrong PIN is logged as an unauthorized
 * attempt (A0-3, user "(pin)"); after PIN_ATTEMPTS the call is dropped.
 *
 * `extra` lets the callback feature take lines like "CALLBACK 2 123456"
 * at the same prompt; it returns true when it consumed the line.
 */
export class PinGate implements SessionGate {
  #io: GateIo | undefined;
  #failures = 0;

  constructor(
    private readonly pbx: Pbx,
    private readonly via: string,
    private readonly extra?: (line: string, io: GateIo) => boolean,
  ) {}

  start(io: GateIo): void {
    this.#io = io;
    if (this.pbx.kds.get('pin') === '') {
      io.print('ERROR 403 modem access is blocked: the customer has not set a PIN');
      this.pbx.audit({ user: '(pin)', circle: undefined }, 3, `A0-3 ${this.via} PIN default`);
      io.hangUp('no access');
      return;
    }
    io.prompt('PIN:', true);
  }

  line(text: string): void {
    const io = this.#io;
    if (!io) return;
    if (this.extra?.(text.trim(), io)) return;
    if (/^\d{5}$/.test(text.trim()) && verifySecret(text.trim(), this.pbx.kds.get('pin'))) {
      io.print('PIN accepted');
      io.pass();
      return;
    }
    this.#failures++;
    this.pbx.audit({ user: '(pin)', circle: undefined }, 3, `A0-3 ${this.via} PIN wrong`);
    if (this.#failures >= PIN_ATTEMPTS) {
      io.print('ERROR 401 wrong PIN');
      io.hangUp('too many wrong PINs');
      return;
    }
    io.print('ERROR 401 wrong PIN');
    io.prompt('PIN:', true);
  }
}
