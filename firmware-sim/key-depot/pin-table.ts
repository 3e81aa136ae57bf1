/**
 * The depot's users and their PINs (spec §5.3: "PINs per depot user …
 * stored only as salted hashes, sent to the depot hashed"). The depot
 * never sees a PIN in clear except at its own keypad, and keeps only the
 * centre's scrypt hash; a PIN typed is checked against every user's hash.
 */
import { isPinHash } from '../../core/check-in-body.js';
import { verifySecret } from '../secret-hash.js';

export interface DepotUser {
  name: string;
  /** `scrypt$N$r$p$salt$hash` as the centre sent it. */
  hash: string;
  /** Compartments the PIN opens; undefined = all. */
  compartments: number[] | undefined;
}

/** PIN digits at the keypad. */
export const MIN_PIN_DIGITS = 4;
export const MAX_PIN_DIGITS = 8;
/** Users per depot: bounds the flash snapshot and the keypad's scrypt work per PIN. */
export const MAX_DEPOT_USERS = 64;

export class PinTable {
  #users: DepotUser[];

  constructor(users: DepotUser[] = []) {
    this.#users = users.map((u) => ({ ...u }));
  }

  get users(): readonly DepotUser[] {
    return this.#users;
  }

  /** Add or replace a user. Refuses a hash that is not scrypt and a 65th user. */
  set(user: DepotUser): { ok: true } | { ok: false; error: string } {
    if (!isPinHash(user.hash)) return { ok: false, error: 'not a scrypt PIN hash within the depot\'s bounds' };
    const others = this.#users.filter((u) => u.name !== user.name);
    if (others.length >= MAX_DEPOT_USERS) return { ok: false, error: `the depot holds at most ${MAX_DEPOT_USERS} users` };
    this.#users = [...others, { ...user }];
    return { ok: true };
  }

  remove(name: string): boolean {
    const before = this.#users.length;
    this.#users = this.#users.filter((u) => u.name !== name);
    return this.#users.length < before;
  }

  /** The user whose PIN this is (the first that matches), or undefined. */
  check(pin: string): DepotUser | undefined {
    if (!/^\d+$/.test(pin) || pin.length < MIN_PIN_DIGITS || pin.length > MAX_PIN_DIGITS) return undefined;
    return this.#users.find((u) => {
      try {
        return verifySecret(pin, u.hash);
      } catch {
        return false; // a hash scrypt refuses opens nothing, and must not stop the keypad
      }
    });
  }

  /** Compartments a user may open among 1…`count`. */
  static opens(user: DepotUser, count: number): number[] {
    const all = Array.from({ length: count }, (_, i) => i + 1);
    return user.compartments ? all.filter((c) => user.compartments!.includes(c)) : all;
  }
}
