import type { Writable } from 'node:stream';

/** Shortest time between two redraws, so a fast local transfer does not flood the terminal. */
const REDRAW_MS = 200;

function size(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * One line of transfer progress — percent, bytes, rate, time left — redrawn
 * in place on a terminal (stderr), silent otherwise so scripts and CI logs
 * stay clean. `now` is injectable for tests.
 */
export class Progress {
  readonly #start: number;
  #last = 0;
  #done = 0;

  constructor(
    readonly label: string,
    readonly total: number,
    private readonly out: Writable & { isTTY?: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.#start = now();
  }

  /** The current line (also for tests). */
  line(): string {
    const elapsed = (this.now() - this.#start) / 1000;
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    const pct = this.total > 0 ? Math.floor((this.#done / this.total) * 100) : 100;
    const left = rate > 0 ? (this.total - this.#done) / rate : Infinity;
    return `${this.label}: ${String(pct).padStart(3)} % ${size(this.#done)}/${size(this.total)} ${size(rate)}/s ${clock(left)} left`;
  }

  update(done: number): void {
    this.#done = Math.min(done, this.total);
    if (!this.out.isTTY) return;
    const t = this.now();
    if (t - this.#last < REDRAW_MS && this.#done < this.total) return;
    this.#last = t;
    this.out.write(`\r${this.line()}\u001b[K`);
  }

  finish(): void {
    if (this.out.isTTY) this.out.write(`\r${this.line()}\u001b[K\n`);
  }
}
