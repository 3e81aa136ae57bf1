import { crc32 } from 'node:zlib';
import { readCallbackIndex, type CallbackIndex, type OutgoingModems } from './callback-index.js';
import type { CallbackFailure } from './callback-scheduler.js';
import type { TimerHandle } from '../core/clock.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { FUNCTION_TEST_TEXT, type ErrorRecord } from './error-history.js';
import { encodeReport, isSignaled } from './error-report.js';
import type { ModemKind } from '../core/modem-port.js';
import type { Kds } from './kds.js';
import type { Pbx } from './pbx.js';
import { sendReport, type ReportSend, type SendFailure } from './report-sender.js';

/** Seed: "Nach fünf erfolglosen Versuchen wird die Signalisierung abgebrochen". */
export const SIGNALING_MAX_FAILURES = 5;
/** Seed: interval "im 1-Minuten-Raster"; the KDS keeps it within 1–15 (out of range → 15). */
export const SIGNALING_INTERVAL_UNIT_MS = 60_000;
/** Seed: function test "zeitlicher Abstand (1, 2, ... 7 Tage)". */
export const FUNCTION_TEST_UNIT_MS = 24 * 3600_000;
/** signaling.functest-spread counts minutes. */
export const FUNCTION_TEST_SPREAD_UNIT_MS = 60_000;
export { FUNCTION_TEST_TEXT };
/** Callback index whose number is the centre's (seed: "Rückrufindex 1"). */
export const SIGNALING_CALLBACK_INDEX = 1;

export type SignalingFailure = CallbackFailure | SendFailure | 'bad-report';

export type SignalingEvent =
  | { type: 'attempt'; attempt: number; modem: ModemKind; number: string; seq: number; records: number }
  | { type: 'sent'; seq: number; records: number; deleted: number }
  | { type: 'failed'; attempt: number; failure: SignalingFailure }
  | { type: 'stopped'; failures: number }
  | { type: 'resumed' }
  | { type: 'skipped'; reason: 'disabled' | 'no-number' }
  | { type: 'function-test'; id: number };

/**
 * Error signaling states (spec §3.4). The interval timer runs while there
 * is something to signal (a class-B or function-test error in the Error
 * History); when it expires the PBX calls the centre if the flag is on and
 * callback index 1 has a number.
 *
 * ```
 *   Idle ──signaled error──▶ Armed ──interval──▶ Calling ──ACK──▶ Idle / Armed (more errors)
 *                             ▲  │ flag off /        │ fail, n < 5
 *                             │  │ no number: re-arm │
 *                             └──┴───────────────────┘
 *   Calling ──5th failure──▶ Stopped ──new Error History entry──▶ Armed (new + unsent)
 * ```
 * Re-arming passes through Idle; `stop()` (power cut) goes to Idle from any state.
 */
export enum SignalingState {
  Idle = 'idle',
  Armed = 'armed',
  Calling = 'calling',
  Stopped = 'stopped',
}

const SIGNALING_MOVES: TransitionTable<SignalingState> = {
  [SignalingState.Idle]: [SignalingState.Armed],
  // Stopped from Armed: a report that cannot be encoded fails before any call.
  [SignalingState.Armed]: [SignalingState.Idle, SignalingState.Calling, SignalingState.Stopped],
  [SignalingState.Calling]: [SignalingState.Idle, SignalingState.Stopped],
  [SignalingState.Stopped]: [SignalingState.Idle],
};

export interface ErrorSignalingOptions {
  pbx: Pbx;
  modems: OutgoingModems;
}

/** What an attempt reads of the KDS, as of one revision of one KDS (`Kds.revision`). */
interface AttemptSettings {
  kds: Kds;
  revision: number;
  enabled: boolean;
  centre: CallbackIndex;
  intervalMs: number;
}

/** A report built but not yet acknowledged: re-sent byte-identical while no error was added. */
interface Unacked {
  seq: number;
  bytes: Buffer;
  ids: number[];
}

export class ErrorSignaling {
  readonly #pbx: Pbx;
  readonly #modems: OutgoingModems;
  readonly #listeners: Array<(e: SignalingEvent) => void> = [];
  #running = false;
  readonly #machine = new StateMachine('error signaling', SIGNALING_MOVES, SignalingState.Idle);
  #failures = 0;
  #timer: TimerHandle | undefined;
  #functestTimer: TimerHandle | undefined;
  #send: ReportSend | undefined;
  #generation = 0;
  #unacked: Unacked | undefined;
  /** The ids of the signaled records at Error History revision `#signaledRevision` (a fresh array at each change, never written). */
  #signaled: number[] = [];
  #signaledRevision = -1;
  #settings: AttemptSettings | undefined;
  /** The generation the interval timer was set in (one interval timer at a time, so one callback for all of them). */
  #armedIn = 0;
  readonly #onInterval = (): void => {
    if (this.#armedIn === this.#generation) this.#expired();
  };

  constructor(options: ErrorSignalingOptions) {
    this.#pbx = options.pbx;
    this.#modems = options.modems;
    this.#pbx.errors.onAdd((record) => this.#onNewEntry(record));
    this.#pbx.onKdsChange((path) => {
      if (path.startsWith('signaling.functest')) this.#armFunctionTest();
    });
  }

  get state(): SignalingState {
    return this.#machine.state;
  }

  /** Unsuccessful calls since the last success or re-activation. */
  get failures(): number {
    return this.#failures;
  }

  onEvent(listener: (e: SignalingEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Startup: arm for what is already in the Error History, and the function-test timer. */
  start(): void {
    if (this.#running) return;
    // Not running means Idle: stop() leaves every state for it.
    this.#running = true;
    this.#failures = 0;
    this.#arm();
    this.#armFunctionTest();
  }

  /** Power cut: timers and any call in progress go; the Error History stays. */
  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#functestTimer?.cancel();
    this.#functestTimer = undefined;
    this.#send?.abort();
    this.#send = undefined;
    this.#unacked = undefined;
    if (!this.#machine.is(SignalingState.Idle)) this.#machine.transition(SignalingState.Idle);
  }

  /** Interval from the KDS in ms; the KDS has already turned out-of-range values into 15. */
  intervalMs(): number {
    return this.#pbx.kds.int('signaling.interval') * SIGNALING_INTERVAL_UNIT_MS;
  }

  #onNewEntry(record: ErrorRecord): void {
    if (!this.#running) return;
    // Seed: after five failures signaling resumes only "nach einem neuen Eintrag in die Error History".
    if (this.#machine.is(SignalingState.Stopped)) {
      this.#failures = 0;
      this.#machine.transition(SignalingState.Idle);
      this.#emit({ type: 'resumed' });
    }
    if (isSignaled(record)) this.#arm();
  }

  #arm(): void {
    if (!this.#running || !this.#machine.is(SignalingState.Idle) || this.#signaledIds().length === 0) return;
    this.#machine.transition(SignalingState.Armed);
    this.#armedIn = this.#generation;
    this.#timer = this.#pbx.clock.setTimer(this.#read().intervalMs, this.#onInterval);
  }

  /**
   * The flag, callback index 1 and the interval: read from the KDS again
   * only after it changed (a PBX retrying a busy centre reads them at every
   * attempt, and in a fleet each look into its tables is a cache miss).
   */
  #read(): AttemptSettings {
    const kds = this.#pbx.kds;
    const known = this.#settings;
    if (known && known.kds === kds && known.revision === kds.revision) return known;
    this.#settings = { kds, revision: kds.revision, enabled: kds.flag('signaling.enabled'), centre: readCallbackIndex(kds, SIGNALING_CALLBACK_INDEX), intervalMs: this.intervalMs() };
    return this.#settings;
  }

  #expired(): void {
    this.#timer = undefined;
    const ids = this.#signaledIds();
    if (ids.length === 0) {
      this.#machine.transition(SignalingState.Idle);
      return;
    }
    const { enabled, centre } = this.#read();
    if (!enabled || centre.number === '') {
      this.#machine.transition(SignalingState.Idle);
      this.#emit({ type: 'skipped', reason: enabled ? 'no-number' : 'disabled' });
      return this.#arm();
    }
    let report: Unacked;
    try {
      report = this.#report(ids);
    } catch (err) {
      // Only an unencodable record (e.g. an oversized text) gets here; it cannot be sent as it is.
      return this.#failed('bad-report');
    }
    this.#machine.transition(SignalingState.Calling);
    const attempt = this.#failures + 1;
    this.#emit({ type: 'attempt', attempt, modem: centre.modem, number: centre.number, seq: report.seq, records: report.ids.length });
    const modem = this.#modems[centre.modem];
    if (!modem) return this.#failed('no-modem');
    const generation = this.#generation;
    modem.dial(centre.number, (result) => {
      if (generation !== this.#generation) {
        if (result.outcome === 'connect') result.line.close();
        return;
      }
      if (result.outcome !== 'connect') return this.#failed(result.outcome);
      this.#send = sendReport(result.line, this.#pbx.clock, this.#pbx.systemId, report.seq, report.bytes, (outcome) => {
        this.#send = undefined;
        if (outcome.ok) this.#acknowledged(report);
        else this.#failed(outcome.failure);
      });
    });
  }

  /** The ids of the signaled records, oldest first: looked up again only after the Error History changed. */
  #signaledIds(): number[] {
    const errors = this.#pbx.errors;
    if (errors.revision !== this.#signaledRevision) {
      this.#signaled = errors.ids(isSignaled);
      this.#signaledRevision = errors.revision;
    }
    return this.#signaled;
  }

  /**
   * The report of the signaled records `ids`: the unacknowledged one again if
   * they are the same, else a new seq. Records are copied only for a new
   * report — a PBX retrying a busy centre re-sends the same one many times.
   */
  #report(ids: number[]): Unacked {
    const unacked = this.#unacked;
    if (unacked && (unacked.ids === ids || (unacked.ids.length === ids.length && unacked.ids.every((id, k) => id === ids[k])))) return unacked;
    const pbx = this.#pbx;
    const records = pbx.errors.view(isSignaled);
    const seq = pbx.nextReportSeq();
    const bytes = encodeReport({ systemId: pbx.systemId, pbxType: pbx.type, apsVersion: pbx.apsVersion, seq, time: pbx.clock.now(), records });
    this.#unacked = { seq, bytes, ids };
    return this.#unacked;
  }

  #acknowledged(report: Unacked): void {
    // Only what the centre acknowledged goes; errors entered during the call stay for the next report.
    const deleted = this.#pbx.errors.remove(report.ids);
    this.#pbx.persist();
    this.#unacked = undefined;
    this.#failures = 0;
    this.#machine.transition(SignalingState.Idle);
    this.#emit({ type: 'sent', seq: report.seq, records: report.ids.length, deleted });
    this.#arm();
  }

  #failed(failure: SignalingFailure): void {
    this.#failures++;
    this.#emit({ type: 'failed', attempt: this.#failures, failure });
    if (this.#failures >= SIGNALING_MAX_FAILURES) {
      this.#machine.transition(SignalingState.Stopped);
      this.#emit({ type: 'stopped', failures: this.#failures });
      return;
    }
    this.#machine.transition(SignalingState.Idle);
    this.#arm();
  }

  /**
   * Delay of the first function test after start or a change of its settings:
   * the period, plus an offset within `signaling.functest-spread` minutes that
   * the system id fixes (CRC-32 of it, to the millisecond). A fleet set up in
   * one go then does not call the centre all at the same instant, and each PBX
   * keeps its own time of day from one test to the next.
   */
  functionTestDelayMs(): number {
    const kds = this.#pbx.kds;
    const spreadMs = kds.int('signaling.functest-spread') * FUNCTION_TEST_SPREAD_UNIT_MS;
    const offset = spreadMs === 0 ? 0 : crc32(this.#pbx.systemId) % spreadMs;
    return kds.int('signaling.functest-days') * FUNCTION_TEST_UNIT_MS + offset;
  }

  #armFunctionTest(delayMs = this.functionTestDelayMs()): void {
    this.#functestTimer?.cancel();
    this.#functestTimer = undefined;
    const kds = this.#pbx.kds;
    if (!this.#running || !kds.flag('signaling.functest')) return;
    const generation = this.#generation;
    this.#functestTimer = this.#pbx.clock.setTimer(delayMs, () => {
      if (generation !== this.#generation) return;
      const record = this.#pbx.errors.addFunctionTest(this.#pbx.clock.now());
      this.#emit({ type: 'function-test', id: record.id });
      this.#armFunctionTest(kds.int('signaling.functest-days') * FUNCTION_TEST_UNIT_MS);
    });
  }

  #emit(e: SignalingEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
