import { isCallbackIndex, readCallbackIndex, type OutgoingModems } from './callback-index.js';
import type { TimerHandle } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import type { DialFailure, IncomingCallInfo, ModemKind } from '../core/modem-port.js';
import type { Pbx } from './pbx.js';
import { PIN_ATTEMPTS } from './pin-gate.js';
import { verifySecret } from './secret-hash.js';
import { LogAppendError } from './protocol-log.js';
import type { GateIo } from './session.js';

/** Seed: "Nach 10 s initiiert Hicom 150 E Office den "Callback"". */
export const CALLBACK_DELAY_MS = 10_000;
/** Seed: "unternimmt … insgesamt 20 Versuche in Abstand von je 10 s". */
export const CALLBACK_ATTEMPTS = 20;
export const CALLBACK_RETRY_GAP_MS = 10_000;
/** Wrong callback requests on one call before the PBX hangs up, as for PINs. */
export const CALLBACK_REQUEST_TRIES = PIN_ATTEMPTS;

/** The line a caller types at the PIN prompt: `CALLBACK <index> <code>`. */
const REQUEST = /^callback(?:\s+(\S+))?(?:\s+(\S+))?(\s+.*)?$/i;
/** Logged as this user: the caller is not logged in. */
export const CALLBACK_LOG_USER = '(callback)';

/** Why a dial attempt failed; 'no-modem' when the index's modem is not fitted. */
export type CallbackFailure = DialFailure | 'no-modem';

export type CallbackEvent =
  | { type: 'registered'; index: number; modem: ModemKind }
  | { type: 'refused'; index: number | undefined; reason: 'usage' | 'no-number' | 'wrong-code' }
  | { type: 'attempt'; index: number; attempt: number; modem: ModemKind; number: string }
  | { type: 'failed'; index: number; attempt: number; outcome: CallbackFailure }
  | { type: 'connected'; index: number; attempt: number; modem: ModemKind }
  | { type: 'given-up'; index: number; attempts: number }
  | { type: 'cancelled'; index: number };

/**
 * Callback states (spec §3.3).
 *
 * ```
 *          request (index, code ok)
 *   Idle ────────────────────────────▶ Waiting ──10 s──▶ Dialing ──connect──▶ Idle (session runs)
 *    ▲                                   ▲                  │
 *    │                                   └──fail, n < 20────┘
 *    └──────────── fail, n = 20: given up (logged) ─────────┘
 * ```
 * A new request replaces a pending one; `stop()` (power cut) forgets it.
 */
export enum CallbackState {
  Idle = 'idle',
  Waiting = 'waiting',
  Dialing = 'dialing',
}

const CALLBACK_MOVES: TransitionTable<CallbackState> = {
  [CallbackState.Idle]: [CallbackState.Waiting],
  [CallbackState.Waiting]: [CallbackState.Dialing, CallbackState.Idle],
  [CallbackState.Dialing]: [CallbackState.Waiting, CallbackState.Idle],
};

export interface CallbackSchedulerOptions {
  pbx: Pbx;
  modems: OutgoingModems;
  /** Runs the remote session on a connected callback: no PIN, login required. */
  onConnected(line: LineEndpoint, info: IncomingCallInfo): void;
}

export type CallbackRequestResult = { ok: true } | { ok: false; code: number; error: string };

/**
 * The PBX's callback feature: takes `CALLBACK <index> <code>` at the PIN
 * prompt of a modem call, registers it, hangs up, and calls the index's
 * number back over the modem the index's X.75 flag chooses.
 */
export class CallbackScheduler {
  readonly #pbx: Pbx;
  readonly #modems: OutgoingModems;
  readonly #onConnected: CallbackSchedulerOptions['onConnected'];
  readonly #listeners: Array<(e: CallbackEvent) => void> = [];
  /** Wrong requests per call, keyed by the gate's io (one per call). */
  readonly #tries = new WeakMap<GateIo, number>();
  readonly #machine = new StateMachine('callback', CALLBACK_MOVES, CallbackState.Idle);
  #index = 0;
  #attempts = 0;
  #timer: TimerHandle | undefined;
  /** Bumped on every new request and stop, so a late dial outcome of an old one is ignored. */
  #generation = 0;

  constructor(options: CallbackSchedulerOptions) {
    this.#pbx = options.pbx;
    this.#modems = options.modems;
    this.#onConnected = options.onConnected;
  }

  get state(): CallbackState {
    return this.#machine.state;
  }

  /** Index of the pending callback (0 when idle). */
  get pendingIndex(): number {
    return this.#machine.is(CallbackState.Idle) ? 0 : this.#index;
  }

  onEvent(listener: (e: CallbackEvent) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * The `preLogin` hook of `RemoteAccess`: consumes lines starting with
   * CALLBACK and leaves everything else (the PIN) to the PIN gate.
   */
  handleGateLine(text: string, io: GateIo, info: IncomingCallInfo): boolean {
    const m = REQUEST.exec(text.trim());
    if (!m) return false;
    const via = `${info.kind.toUpperCase()} ${info.caller || 'unknown'}`;
    const index = Number(m[1]);
    if (m[1] === undefined || m[2] === undefined || m[3] !== undefined || !isCallbackIndex(index)) {
      this.#emit({ type: 'refused', index: undefined, reason: 'usage' });
      return this.#refused(io, 400, 'usage: CALLBACK <index 1-6> <code>');
    }
    const result = this.#check(index, m[2]);
    if (!result.ok) {
      this.#pbx.audit({ user: CALLBACK_LOG_USER, circle: undefined }, 3, `A0-3 ${via} CALLBACK ${index} ${result.code === 404 ? 'no number' : 'code wrong'}`);
      this.#emit({ type: 'refused', index, reason: result.code === 404 ? 'no-number' : 'wrong-code' });
      return this.#refused(io, result.code, result.error);
    }
    try {
      this.#register(index, via);
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      io.print(`ERROR 507 protocol log unavailable: ${err.message}; callback refused`);
      io.hangUp('callback refused');
      return true;
    }
    io.print(`CALLBACK REGISTERED ${index}`);
    io.hangUp('callback registered');
    return true;
  }

  /**
   * Register a callback as if the caller had asked with the right code
   * (scenarios, tests). The index must have a number.
   */
  request(index: number, via = 'scenario'): CallbackRequestResult {
    if (!isCallbackIndex(index)) return { ok: false, code: 422, error: 'callback index is 1–6' };
    if (readCallbackIndex(this.#pbx.kds, index).number === '') return { ok: false, code: 404, error: `callback index ${index} has no number` };
    try {
      this.#register(index, via);
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      return { ok: false, code: 507, error: `protocol log unavailable: ${err.message}` };
    }
    return { ok: true };
  }

  /** Forget a pending callback (power cut, shutdown). */
  stop(): void {
    this.#generation++;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#machine.is(CallbackState.Idle)) return;
    this.#machine.transition(CallbackState.Idle);
    this.#emit({ type: 'cancelled', index: this.#index });
  }

  #check(index: number, code: string): CallbackRequestResult {
    const entry = readCallbackIndex(this.#pbx.kds, index);
    if (entry.number === '') return { ok: false, code: 404, error: `callback index ${index} has no number` };
    // No default codes (seed): an index without a code can never be used.
    if (!/^\d{1,6}$/.test(code) || !verifySecret(code, entry.codeHash)) return { ok: false, code: 401, error: 'wrong callback code' };
    return { ok: true };
  }

  #refused(io: GateIo, code: number, error: string): boolean {
    const tries = (this.#tries.get(io) ?? 0) + 1;
    this.#tries.set(io, tries);
    io.print(`ERROR ${code} ${error}`);
    if (tries >= CALLBACK_REQUEST_TRIES) io.hangUp('too many wrong callback requests');
    else io.prompt('PIN:', true);
    return true;
  }

  #register(index: number, via: string): void {
    this.stop();
    const modem = readCallbackIndex(this.#pbx.kds, index).modem;
    this.#pbx.audit({ user: CALLBACK_LOG_USER, circle: undefined }, 3, `CALLBACK ${index} registered ${via}`);
    this.#index = index;
    this.#attempts = 0;
    this.#machine.transition(CallbackState.Waiting);
    this.#emit({ type: 'registered', index, modem });
    this.#wait(CALLBACK_DELAY_MS);
  }

  #wait(ms: number): void {
    const generation = this.#generation;
    this.#timer = this.#pbx.clock.setTimer(ms, () => {
      if (generation === this.#generation) this.#dial();
    });
  }

  #dial(): void {
    const generation = this.#generation;
    const index = this.#index;
    // The number is read at dial time: the KDS may have changed while waiting.
    const entry = readCallbackIndex(this.#pbx.kds, index);
    const attempt = ++this.#attempts;
    this.#machine.transition(CallbackState.Dialing);
    this.#emit({ type: 'attempt', index, attempt, modem: entry.modem, number: entry.number });
    const modem = this.#modems[entry.modem];
    if (!modem || entry.number === '') {
      this.#failed(entry.number === '' ? 'unobtainable' : 'no-modem');
      return;
    }
    modem.dial(entry.number, (result) => {
      if (generation !== this.#generation) {
        if (result.outcome === 'connect') result.line.close();
        return;
      }
      if (result.outcome !== 'connect') return this.#failed(result.outcome);
      this.#machine.transition(CallbackState.Idle);
      this.#emit({ type: 'connected', index, attempt, modem: entry.modem });
      this.#onConnected(result.line, { kind: entry.modem, caller: entry.number, connectText: result.connectText });
    });
  }

  #failed(outcome: CallbackFailure): void {
    const index = this.#index;
    this.#emit({ type: 'failed', index, attempt: this.#attempts, outcome });
    if (this.#attempts < CALLBACK_ATTEMPTS) {
      this.#machine.transition(CallbackState.Waiting);
      this.#wait(CALLBACK_RETRY_GAP_MS);
      return;
    }
    this.#machine.transition(CallbackState.Idle);
    try {
      this.#pbx.audit({ user: CALLBACK_LOG_USER, circle: undefined }, 3, `CALLBACK ${index} given up after ${this.#attempts} attempts`);
    } catch (err) {
      // Giving up is not an action that could be refused; the event still reports it.
      if (!(err instanceof LogAppendError)) throw err;
    }
    this.#emit({ type: 'given-up', index, attempts: this.#attempts });
  }

  #emit(e: CallbackEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
