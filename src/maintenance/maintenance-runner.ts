import type { Clock } from '../../core/clock.js';
import type { MaintenanceRecords, PlanRecord, StepOutcome, VisitRecord } from '../database/maintenance-records.js';
import { silentLogger, type Logger } from '../logger.js';
import { functionTestBudgetMs } from './function-test-wait.js';
import { nextWindow, planWindow, type MaintenanceStep, type WindowSpan } from './maintenance-plan.js';

/** How a visit reaches a device: over the LAN (teleservice) or by modem (PIN or callback). */
export type VisitChannel = 'lan' | 'modem';

/** What one step did: its output is stored as it is, `bytes` is what crossed the line. */
export interface StepResult {
  ok: boolean;
  output: string;
  bytes: number;
  /** The line broke: the next attempt connects again first. */
  lineLost?: boolean;
}

export type ConnectResult =
  /** `channel`: the way the visit got in when it is not the device's usual one (a LAN visit that fell back to the modem). */
  | { ok: true; link: VisitLink; output: string; bytes: number; channel?: VisitChannel }
  /** `busy`: people are on the device (an admin session in use, a technician dialled in) — not a failure, come back later. */
  | { ok: false; busy: boolean; output: string; bytes: number };

/** Virtual-time aware waiting the runner hands to a visitor, so time a step spends counts as the runner's. */
export interface VisitContext {
  readonly plan: PlanRecord;
  readonly deviceId: string;
  /** The visit's record, for what a step files under it. */
  readonly visitId: number;
  wait(ms: number): Promise<void>;
  /** Wait for `p` — an answer on the line — as idle, so a virtual clock moves on meanwhile (the modem dials, the PBX answers). */
  idle<T>(p: Promise<T>): Promise<T>;
}

/** One open connection to a device during a visit. */
export interface VisitLink {
  run(step: MaintenanceStep, ctx: VisitContext): Promise<StepResult>;
  close(ctx: VisitContext): Promise<StepResult>;
}

/**
 * The port behind which the real connections are (the session over the LAN
 * or a modem line in the lab, a fake in tests): which channel a device is
 * reached on, and opening it.
 */
export interface DeviceVisitor {
  channelOf(deviceId: string): VisitChannel;
  connect(ctx: VisitContext): Promise<ConnectResult>;
}

/**
 * What each step may take at most, so a step that would cross the window's
 * end is not started (issue 13). Bounds for a 2400 bit/s modem line, the
 * slowest channel a visit uses; a LAN visit finishes well inside them.
 */
export const STEP_BUDGET_MS: Readonly<Record<MaintenanceStep | 'connect' | 'disconnect', number>> = {
  connect: 2 * 60_000,
  errors: 2 * 60_000,
  'kds-backup': 5 * 60_000,
  archive: 10 * 60_000,
  aps: 30 * 60_000,
  /** The default; a plan's own wait for the report sets its budget (`functionTestBudgetMs`). */
  'function-test': functionTestBudgetMs({}),
  disconnect: 60_000,
};

/** An `aps` step that only checks (the plan loads nothing) is one `aps show`. */
export const APS_CHECK_BUDGET_MS = 60_000;

export interface RunnerOptions {
  clock: Clock;
  records: MaintenanceRecords;
  visitor: DeviceVisitor;
  /** The centre's modems: at most this many modem visits at once. */
  modems: number;
  /** At most this many LAN visits at once. */
  lanConcurrency: number;
  /** First back-off after a failed step; doubled at each retry. */
  retryBackoffMs?: number;
  /** How long a busy device is left alone before it is tried again. */
  busyRetryMs?: number;
  budgets?: Partial<Record<keyof typeof STEP_BUDGET_MS, number>>;
  logger?: Logger;
}

export interface WindowSummary {
  window: WindowSpan;
  devices: number;
  done: number;
  failed: number;
  cut: number;
  /** Devices the window ended on before their visit could start or while they were busy. */
  notVisited: number;
  busySkips: number;
}

const DEFAULT_RETRY_BACKOFF_MS = 30_000;
const DEFAULT_BUSY_RETRY_MS = 10 * 60_000;

type VisitEnd = 'done' | 'failed' | 'cut' | 'not-visited' | 'already-done' | 'busy';

/** Which devices of the plan a window is for, and when to stop early. */
export interface WindowRun {
  /** These devices instead of the plan's whole selection (the scheduler's one time-zone group). */
  devices?: readonly string[];
  /**
   * Stop early (the centre stops, the plan was removed): no visit starts any
   * more, a running one ends `cut` before its next step and resumes there in
   * a later window (or, while this window is open, in a centre started again).
   */
  signal?: AbortSignal;
}

/**
 * Runs a plan's visits inside its windows (spec §5.4): every device of the
 * plan once per window, its steps in order, every attempt recorded with
 * start, end, outcome, output and bytes. A step whose budget would cross
 * the window's end is not started: the visit is cut and resumes at that
 * step in the next window. Failed steps are retried with doubling back-off
 * inside the window; a busy device is skipped (recorded) and tried again
 * later in the window. At most `modems` modem visits and `lanConcurrency`
 * LAN visits run at once.
 */
export class MaintenanceRunner {
  readonly #o: RunnerOptions;
  readonly #log: Logger;
  readonly #budgets: Record<keyof typeof STEP_BUDGET_MS, number>;
  /** Visits working right now (not waiting on the clock): a virtual-time driver advances only at 0. */
  #working = 0;
  /** Per plan: the end of the last window run, so the next run takes the window after it. */
  readonly #ran = new Map<number, number>();

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#budgets = { ...STEP_BUDGET_MS, ...options.budgets };
  }

  /** Visits doing something other than waiting on the clock; 0 when only timers can move things on. */
  get working(): number {
    return this.#working;
  }

  /** The plan's window open at `at`, or the next one. */
  static windowOf(plan: PlanRecord, at: number): WindowSpan | undefined {
    return nextWindow(planWindow(plan), at);
  }

  /**
   * Wait for the plan's next window (or take the open one unless this runner
   * ran it already), visit every
   * device in it, and resolve with what the window achieved when every
   * visit has ended.
   */
  async runNextWindow(plan: PlanRecord): Promise<WindowSummary | undefined> {
    // A window this runner has run already is over for it, even while it is still open.
    const window = MaintenanceRunner.windowOf(plan, Math.max(this.#o.clock.now(), this.#ran.get(plan.id) ?? 0));
    if (!window) return undefined;
    this.#ran.set(plan.id, window.end);
    this.#working++;
    try {
      await this.#sleep(window.start - this.#o.clock.now());
    } finally {
      this.#working--;
    }
    return this.runWindow(plan, window);
  }

  /** Visit every device of the plan (or of `run.devices`) inside `window` (which may be open already, or be a window of `run-now` or of the scheduler). */
  async runWindow(plan: PlanRecord, window: WindowSpan, run: WindowRun = {}): Promise<WindowSummary> {
    this.#working++;
    const signal = run.signal;
    try {
      const devices = run.devices ? [...run.devices] : await this.#o.records.devicesOf(plan.selection);
      const summary: WindowSummary = { window, devices: devices.length, done: 0, failed: 0, cut: 0, notVisited: 0, busySkips: 0 };
      /** Devices waiting for a visit; a busy one goes back in with the time it may be tried again. */
      const queues: Record<VisitChannel, Array<{ device: string; notBefore: number }>> = { lan: [], modem: [] };
      for (const d of devices) queues[this.#o.visitor.channelOf(d)].push({ device: d, notBefore: 0 });
      const worker = async (queue: Array<{ device: string; notBefore: number }>) => {
        while (queue.length > 0) {
          if (signal?.aborted) {
            summary.notVisited += queue.splice(0).length;
            break;
          }
          const now = this.#o.clock.now();
          const i = queue.findIndex((q) => q.notBefore <= now);
          if (i < 0) {
            await this.#sleep(Math.min(...queue.map((q) => q.notBefore)) - now, signal);
            continue;
          }
          const [{ device }] = queue.splice(i, 1);
          const end = await this.#visit(plan, device, window, summary, signal);
          if (end === 'busy') queue.push({ device, notBefore: this.#o.clock.now() + (this.#o.busyRetryMs ?? DEFAULT_BUSY_RETRY_MS) });
          else if (end === 'done' || end === 'already-done') summary.done++;
          else if (end === 'failed') summary.failed++;
          else if (end === 'cut') summary.cut++;
          else summary.notVisited++;
        }
      };
      const workers: Promise<void>[] = [];
      for (const [channel, limit] of [['lan', this.#o.lanConcurrency], ['modem', this.#o.modems]] as const) {
        for (let i = 0; i < Math.min(limit, queues[channel].length); i++) workers.push(this.#tracked(() => worker(queues[channel])));
      }
      this.#working--;
      try {
        await Promise.all(workers);
      } finally {
        this.#working++;
      }
      this.#log.info({ plan: plan.name, ...summary }, 'maintenance window ended');
      return summary;
    } finally {
      this.#working--;
    }
  }

  async #tracked<T>(fn: () => Promise<T>): Promise<T> {
    this.#working++;
    try {
      return await fn();
    } finally {
      this.#working--;
    }
  }

  /** Wait on the clock; an abort ends the wait at once. */
  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    this.#working--;
    return new Promise<void>((resolve) => {
      const wake = () => {
        timer.cancel();
        signal?.removeEventListener('abort', wake);
        this.#working++;
        resolve();
      };
      const timer = this.#o.clock.setTimer(ms, wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  async #idle<T>(p: Promise<T>): Promise<T> {
    this.#working--;
    try {
      return await p;
    } finally {
      this.#working++;
    }
  }

  #budget(step: keyof typeof STEP_BUDGET_MS, plan: PlanRecord): number {
    if (step === 'aps' && !plan.loadAps) return Math.min(APS_CHECK_BUDGET_MS, this.#budgets.aps);
    // The plan's wait for the report, unless a budget for the step was given (tests).
    if (step === 'function-test') return this.#o.budgets?.['function-test'] ?? functionTestBudgetMs(plan);
    return this.#budgets[step];
  }

  #fits(step: keyof typeof STEP_BUDGET_MS, window: WindowSpan, plan: PlanRecord): boolean {
    return this.#o.clock.now() + this.#budget(step, plan) <= window.end;
  }

  async #record(visit: VisitRecord, step: string, attempt: number, startedAt: number, outcome: StepOutcome, r: { output: string; bytes: number }, nextStep: number, channel?: VisitChannel): Promise<void> {
    await this.#o.records.recordStep({ visitId: visit.id, step, attempt, startedAt, endedAt: this.#o.clock.now(), outcome, output: r.output, bytes: r.bytes }, { nextStep, ...(channel ? { channel } : {}) });
  }

  async #visit(plan: PlanRecord, deviceId: string, window: WindowSpan, summary: WindowSummary, signal?: AbortSignal): Promise<VisitEnd> {
    const records = this.#o.records;
    const clock = this.#o.clock;
    if (await records.finishedIn(plan.id, deviceId, window.start)) return 'already-done';
    const steps = plan.steps as MaintenanceStep[];
    const channel = this.#o.visitor.channelOf(deviceId);
    let visit = await records.unfinishedVisit(plan.id, deviceId);
    if (!this.#fits('connect', window, plan)) {
      if (!visit || visit.state === 'cut') return visit ? 'cut' : 'not-visited';
      // Busy until the window's end (or left running by a killed centre): the next window takes it up.
      await records.endVisit(visit.id, 'cut', clock.now(), `not finished before the window's end; resumes at ${steps[visit.nextStep] ?? 'disconnect'}`);
      return 'cut';
    }
    if (visit) {
      await records.resumeVisit(visit.id, window.start);
      this.#log.info({ plan: plan.name, device: deviceId, step: steps[visit.nextStep] }, 'maintenance visit resumed');
    } else {
      visit = await records.startVisit({ planId: plan.id, deviceId, windowStart: window.start, at: clock.now() });
    }
    const ctx: VisitContext = { plan, deviceId, visitId: visit.id, wait: (ms) => this.#sleep(ms), idle: (p) => this.#idle(p) };
    const stopped = async (step: string): Promise<VisitEnd> => {
      await link?.close(ctx);
      await records.endVisit(visit.id, 'cut', clock.now(), `stopped before ${step} (${String(signal?.reason ?? 'stopped')}); resumes there`);
      return 'cut';
    };
    const cut = async (step: string): Promise<VisitEnd> => {
      await this.#record(visit, step, 0, clock.now(), 'not-started', { output: `not started: its ${this.#budget(step as keyof typeof STEP_BUDGET_MS, plan) / 60_000} min would cross the window's end at ${new Date(window.end).toISOString()}`, bytes: 0 }, visit.nextStep);
      await records.endVisit(visit.id, 'cut', clock.now(), `cut by the window's end before ${step}; resumes there in the next window`);
      return 'cut';
    };
    let link: VisitLink | undefined;
    let connectAttempt = 0;
    const connect = async (): Promise<VisitEnd | undefined> => {
      for (;;) {
        if (!this.#fits('connect', window, plan)) return cut('connect');
        const started = clock.now();
        connectAttempt++;
        const r = await this.#o.visitor.connect(ctx);
        if (r.ok) {
          link = r.link;
          await this.#record(visit, 'connect', connectAttempt, started, 'ok', r, visit.nextStep, r.channel ?? channel);
          return undefined;
        }
        if (r.busy) {
          summary.busySkips++;
          await this.#record(visit, 'connect', connectAttempt, started, 'busy', r, visit.nextStep, channel);
          connectAttempt--;
          this.#log.info({ plan: plan.name, device: deviceId }, 'device in use: skipped for now, visited later in the window');
          return 'busy';
        }
        await this.#record(visit, 'connect', connectAttempt, started, 'failed', r, visit.nextStep, channel);
        if (connectAttempt > plan.maxRetries) {
          await records.endVisit(visit.id, 'failed', clock.now(), `connect failed ${connectAttempt} times: ${r.output}`);
          return 'failed';
        }
        await this.#sleep(this.#backoff(connectAttempt));
      }
    };
    const ended = await connect();
    if (ended) return ended;
    for (let i = visit.nextStep; i < steps.length; i++) {
      const step = steps[i];
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) return stopped(step);
        if (!this.#fits(step, window, plan)) {
          await link?.close(ctx);
          return cut(step);
        }
        if (!link) {
          const again = await connect();
          if (again) return again;
        }
        const started = clock.now();
        const r = await (link as VisitLink).run(step, ctx);
        visit.nextStep = r.ok ? i + 1 : i;
        await this.#record(visit, step, attempt, started, r.ok ? 'ok' : 'failed', r, visit.nextStep);
        if (r.ok) break;
        if (r.lineLost) link = undefined;
        if (attempt > plan.maxRetries) {
          await link?.close(ctx);
          await records.endVisit(visit.id, 'failed', clock.now(), `${step} failed ${attempt} times: ${r.output}`);
          return 'failed';
        }
        await this.#sleep(this.#backoff(attempt), signal);
      }
    }
    const started = clock.now();
    const closed = link ? await (link as VisitLink).close(ctx) : { ok: true, output: '', bytes: 0 };
    await this.#record(visit, 'disconnect', 1, started, closed.ok ? 'ok' : 'failed', closed, steps.length);
    await records.endVisit(visit.id, 'done', clock.now(), '');
    return 'done';
  }

  #backoff(attempt: number): number {
    return (this.#o.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS) * 2 ** (attempt - 1);
  }
}
