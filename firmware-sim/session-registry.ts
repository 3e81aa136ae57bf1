import type { Circle } from './circles.js';
import type { SessionChannel } from './session-channel.js';

/** One logged-in session, as `show sessions` lists it. */
export interface OpenSession {
  id: number;
  channel: SessionChannel;
  /** Where it came in, e.g. "V.24", "UP0E-1", "IMOD 0897000", "LAN 172.30.0.1". */
  port: string;
  user: string;
  circle: Circle | undefined;
  /** Login time (clock ms). */
  since: number;
}

/**
 * Who is logged in, on every channel at once: a session enters at its login
 * and leaves at its logout or when its line drops. A provider's maintenance
 * visit reads it (`show sessions`) to keep clear of people working on the
 * PBX (spec §5.4, docs/lan-teleservice.md).
 */
export class SessionRegistry {
  #next = 1;
  readonly #open = new Map<number, OpenSession>();

  /** Record a login; the id to close it with. */
  open(session: Omit<OpenSession, 'id'>): number {
    const id = this.#next++;
    this.#open.set(id, { ...session, id });
    return id;
  }

  close(id: number | undefined): void {
    if (id !== undefined) this.#open.delete(id);
  }

  list(): OpenSession[] {
    return [...this.#open.values()].map((s) => ({ ...s }));
  }
}
