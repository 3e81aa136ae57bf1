/** Delay before the next login after k failures in a row: 2^(k-1) s, at most this. */
export const LOGIN_DELAY_MAX_MS = 32_000;

/**
 * Failed logins slow down every later attempt on the same access point
 * (an admin port, or all calls into one modem) — not just on the one
 * connection, which a caller could simply drop and redial. A success
 * clears the count. Kept in RAM: a restart is a slow way to guess.
 */
export class LoginThrottle {
  readonly #state = new Map<string, { failures: number; until: number }>();

  /** Milliseconds the access point must still wait (0 = may try now). */
  waitMs(key: string, now: number): number {
    return Math.max(0, (this.#state.get(key)?.until ?? 0) - now);
  }

  /** Count one failure; returns the delay now in force. */
  failed(key: string, now: number): number {
    const s = this.#state.get(key) ?? { failures: 0, until: 0 };
    s.failures++;
    const delay = Math.min(2 ** (s.failures - 1) * 1000, LOGIN_DELAY_MAX_MS);
    s.until = now + delay;
    this.#state.set(key, s);
    return delay;
  }

  succeeded(key: string): void {
    this.#state.delete(key);
  }
}
