import type { VirtualClock } from '../../core/clock.js';
import type { LabEvent, LabEvents } from '../lab/lab-events.js';
import { ControlError } from './control-error.js';

/** Longest `run-until` a rig may ask for: a year of virtual time, a day of real time. */
export const MAX_VIRTUAL_RUN_MS = 366 * 86_400_000;
export const MAX_REAL_WAIT_MS = 86_400_000;

/**
 * Moves the lab's time for the control port. On the virtual clock time
 * moves only here, timer by timer, so `runUntil` stops on the first
 * matching event with the lab in exactly the state it describes; on the
 * real clock `runUntil` waits (and `advance` is refused: real time cannot be
 * skipped).
 */
export class ClockDriver {
  readonly #waits = new Set<() => void>();

  /**
   * `settled` resolves when the lab's own asynchronous work is done (a
   * restart binding its ports): virtual time waits for it, so a week of
   * timers never races past a PBX that is still coming up.
   */
  constructor(
    private readonly events: LabEvents,
    private readonly virtual: VirtualClock | undefined,
    private readonly now: () => number,
    private readonly settled: () => Promise<void> = async () => undefined,
  ) {}

  get mode(): 'virtual' | 'real' {
    return this.virtual ? 'virtual' : 'real';
  }

  async advance(ms: number): Promise<void> {
    if (!this.virtual) throw new ControlError('refused', 'the lab runs in real time; start it with --virtual-time to advance its clock');
    if (ms > MAX_VIRTUAL_RUN_MS) throw new ControlError('bad-args', `at most ${MAX_VIRTUAL_RUN_MS / 86_400_000} days at once`);
    await this.runUntil(() => false, ms);
  }

  /** Run (virtual) or wait (real) until `wanted` accepts an event or `timeoutMs` passed; the event, or undefined. */
  async runUntil(wanted: (e: LabEvent) => boolean, timeoutMs: number): Promise<LabEvent | undefined> {
    let hit: LabEvent | undefined;
    if (this.virtual) {
      if (timeoutMs > MAX_VIRTUAL_RUN_MS) throw new ControlError('bad-args', `timeout: at most ${MAX_VIRTUAL_RUN_MS / 86_400_000} days`);
      const clock = this.virtual;
      const end = clock.now() + timeoutMs;
      const off = this.events.on((e) => {
        if (!hit && wanted(e)) hit = e;
      });
      try {
        // Timers run synchronously; between passes the lab's own async work finishes (and may set timers or emit the event).
        for (;;) {
          await this.settled();
          if (hit) break;
          const fired = clock.fired;
          clock.runUntilIdleOr(() => hit !== undefined, end - clock.now());
          if (hit) break;
          if (clock.fired === fired) {
            await this.settled();
            if (!hit) clock.runUntil(end);
            break;
          }
        }
      } finally {
        off();
      }
      return hit;
    }
    if (timeoutMs > MAX_REAL_WAIT_MS) throw new ControlError('bad-args', `timeout: at most ${MAX_REAL_WAIT_MS / 3600_000} h in real time`);
    return new Promise((resolve) => {
      const finish = (e: LabEvent | undefined): void => {
        clearTimeout(timer);
        off();
        this.#waits.delete(cancel);
        resolve(e);
      };
      const cancel = (): void => finish(undefined);
      const timer = setTimeout(cancel, timeoutMs);
      const off = this.events.on((e) => {
        if (wanted(e)) finish(e);
      });
      this.#waits.add(cancel);
    });
  }

  /** The lab stops: every waiting `runUntil` returns without an event. */
  close(): void {
    for (const cancel of [...this.#waits]) cancel();
  }

  time(): number {
    return this.now();
  }
}
