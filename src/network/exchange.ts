import type { Clock, TimerHandle } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type {
  Bearer, CallFailure, CallHandlers, CallOffer, CallTerminal, DialOptions, ExchangeLine, IncomingCall, LinkInfo, OutgoingCall,
} from '../../core/call.js';
import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { DataPath, type DataPathOptions, type ReleaseCause } from './data-path.js';
import { NO_FAULTS, type FaultPlan } from './fault-plan.js';
import { isTransparent, VoiceImpairment, type VoiceImpairmentOptions } from './voice-impairment.js';

/**
 * Ring cadence of the simulated network: 1 s ringing, 4 s silence (the
 * common European cadence; ITU-T E.180 lists it). RI and the RING result
 * code follow it.
 */
export const RING_ON_MS = 1000;
export const RING_OFF_MS = 4000;
/** The default cadence as on, off, … durations; a PBX rings its ports with its country's (setRingCadence). */
export const DEFAULT_RING_CADENCE_MS: readonly number[] = [RING_ON_MS, RING_OFF_MS];

/** Time from the last dialled digit until the network reports an outcome (post-dial delay). */
export const DEFAULT_SETUP_DELAY_MS = 500;
/** A dial string that is only what the network routes on (digits, * and #). */
const DIAL_DIGITS_ONLY = /^[0-9*#]*$/;

/** The exchange-line access code a PBX port dials before an external number (Hicom default "0"). */
export const DEFAULT_OUTSIDE_LINE_PREFIX = '0';

/**
 * Call state machine of the exchange.
 *
 * ```
 *   Setup ──route fails / busy / unreachable / no dial tone──▶ Failed
 *     │
 *     │ offer accepted
 *     ▼
 *   Alerting ──caller cancels / no-answer (S7)──────────────▶ Failed
 *     │
 *     │ answer(link)
 *     ▼
 *   Handshake ──link null / caller cancels───────────────────▶ Failed
 *     │
 *     │ handshake time elapsed
 *     ▼
 *   Connected ──either end hangs up / fault drop──────────────▶ Released
 * ```
 * Failed and Released are final.
 */
export enum CallState {
  Setup = 'setup',
  Alerting = 'alerting',
  Handshake = 'handshake',
  Connected = 'connected',
  Failed = 'failed',
  Released = 'released',
}

const CALL_MOVES: TransitionTable<CallState> = {
  [CallState.Setup]: [CallState.Alerting, CallState.Failed],
  [CallState.Alerting]: [CallState.Handshake, CallState.Failed],
  [CallState.Handshake]: [CallState.Connected, CallState.Failed],
  [CallState.Connected]: [CallState.Released],
  [CallState.Failed]: [],
  [CallState.Released]: [],
};

/** States a call can no longer fail from: it is over, or connected (then it is released instead). */
const PAST_FAILING: readonly CallState[] = [CallState.Failed, CallState.Released, CallState.Connected];

export class NumberingError extends Error {
  override name = 'NumberingError';
}

export interface ExchangeOptions {
  /** Pace connected paths at the negotiated rate (default true); false = unpaced. */
  pacing?: boolean;
  setupDelayMs?: number;
  /** Called on every call state change (for logs). */
  onCallEvent?(event: CallEvent): void;
  /**
   * Whether `onCallEvent` wants events now (default: always). A lab in
   * virtual time with a silent log and nobody listening says no, and the
   * exchange builds none of the millions of events a fleet's busy retries
   * would make.
   */
  callEventsWanted?(): boolean;
  /** Called when an injected fault acts on a call (a busy given, a line cut), so a rig sees its fault take effect. */
  onFaultApplied?(event: FaultApplied): void;
  /** Every chunk a connected path carries, as its sender sent it (before a corrupting line), for traces (`lab --trace`). */
  onLineBytes?(event: LineBytes): void;
}

/** One chunk on the line of a connected call; `direction` 0 is caller → called. */
export interface LineBytes {
  call: number;
  caller: string;
  called: string;
  bearer: Bearer;
  direction: 0 | 1;
  bytes: Uint8Array;
}

/** Which injected fault acted. */
export type AppliedFault = 'busy' | 'unreachable' | 'no-dialtone' | 'drop-bytes' | 'drop-after';

export interface FaultApplied {
  call: number;
  /** The line whose fault plan acted: a public number or `pbxId:internal`. */
  line: string;
  fault: AppliedFault;
}

export interface CallEvent {
  id: number;
  caller: string;
  called: string;
  state: CallState;
  reason?: CallFailure | ReleaseCause;
}

/** A PBX in the numbering plan. */
export interface PbxConfig {
  id: string;
  /** Public numbers of its trunks; a DID suffix follows any of them. */
  trunkNumbers: string[];
  outsideLinePrefix?: string;
  /** Digital (ISDN, default) trunks carry voice as G.711 A-law; analog ones pass it unquantised. */
  trunkKind?: TrunkKind;
}

export type TrunkKind = 'analog' | 'digital';

/** One row of `Exchange.numberingPlan()`. */
export interface NumberEntry {
  kind: 'subscriber' | 'pbx-port';
  /** Public number, or undefined for a PBX port without DID. */
  number: string | undefined;
  pbx?: string;
  internal?: string;
  did?: string | undefined;
}

interface Attachment {
  terminal: CallTerminal;
  key: string;
  presented: string;
  faults: FaultPlan;
  calls: number;
  /** Calls the line takes at once (a multi-channel modem pseudo-port); 1 elsewhere. */
  capacity: number;
  /** A PBX station's code lock: no external calls (KDS station.N.code-lock). */
  codeLocked?: boolean;
  pbx?: PbxNode;
  internal?: string;
  /** A cut asked for while the line had no connected call: it acts on the next one (`Exchange.cut`). */
  pendingCut?: LineCut;
}

/** A one-shot cut of a line (`Exchange.cut`): after N more bytes or T from now. */
export type LineCut = { afterBytes: number } | { afterMs: number };

const DIGITS = /^[0-9*#]+$/;

/** The smaller of two optional limits; undefined when neither is set. */
function smaller(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function checkNumber(kind: string, n: string): void {
  if (!DIGITS.test(n)) throw new NumberingError(`${kind} '${n}' must be digits (0-9, *, #)`);
}

/** Makes the line object a terminal dials on; the exchange hands it to each PBX node it creates. */
type LineFactory = (att: Attachment) => ExchangeLine;

/** A PBX's ports (stations, IMOD and X.75 pseudo-ports) and their DIDs. */
export class PbxNode {
  readonly ports = new Map<string, Attachment>();
  readonly #did = new Map<string, string>();
  readonly #lineFor: LineFactory;
  #outsideLinePrefix: string;
  #ringCadenceMs: readonly number[] = DEFAULT_RING_CADENCE_MS;

  constructor(lineFor: LineFactory, readonly id: string, readonly trunkNumbers: readonly string[], outsideLinePrefix: string, readonly trunkKind: TrunkKind = 'digital') {
    this.#lineFor = lineFor;
    this.#outsideLinePrefix = outsideLinePrefix;
  }

  get outsideLinePrefix(): string {
    return this.#outsideLinePrefix;
  }

  /** The exchange-line access code (country initialisation); no internal number may start with it. */
  setOutsideLinePrefix(prefix: string): void {
    checkNumber('outside-line prefix', prefix);
    const clash = [...this.ports.keys()].find((n) => n.startsWith(prefix));
    if (clash !== undefined) throw new NumberingError(`outside-line prefix '${prefix}' of PBX ${this.id}: internal number ${clash} starts with it`);
    this.#outsideLinePrefix = prefix;
  }

  /** Code lock of a port (a station): while locked it reaches internal numbers only; external calls are unobtainable. */
  setCodeLock(internal: string, locked: boolean): void {
    const att = this.ports.get(internal);
    if (!att) throw new NumberingError(`PBX ${this.id} has no internal number ${internal}`);
    att.codeLocked = locked;
  }

  /** How calls to this PBX's ports ring: on, off, on, off … in ms (ITU-T E.180 Supp. 2 per country). */
  get ringCadenceMs(): readonly number[] {
    return this.#ringCadenceMs;
  }

  setRingCadence(cadenceMs: readonly number[]): void {
    if (cadenceMs.length === 0 || cadenceMs.length % 2 !== 0 || !cadenceMs.every((ms) => Number.isFinite(ms) && ms > 0)) {
      throw new RangeError(`ring cadence of PBX ${this.id}: pairs of on/off durations > 0 ms, got ${JSON.stringify(cadenceMs)}`);
    }
    this.#ringCadenceMs = [...cadenceMs];
  }

  /**
   * Attach a terminal under an internal number. `did` is the suffix dialled
   * after a trunk number (default: the internal number; `null`: no DID, so
   * reachable only from inside the PBX). `channels`: calls the port takes
   * at once (a modem pseudo-port with several B channels; default 1).
   */
  addPort(internal: string, terminal: CallTerminal, options: { did?: string | null; channels?: number } = {}): ExchangeLine {
    checkNumber('internal number', internal);
    if (this.outsideLinePrefix && internal.startsWith(this.outsideLinePrefix)) {
      throw new NumberingError(`internal number '${internal}' of PBX ${this.id} starts with the outside-line prefix '${this.outsideLinePrefix}'`);
    }
    if (this.ports.has(internal)) throw new NumberingError(`PBX ${this.id} already has internal number ${internal}`);
    const att: Attachment = { terminal, key: `${this.id}:${internal}`, presented: '', faults: { ...NO_FAULTS }, calls: 0, capacity: Math.max(1, options.channels ?? 1), pbx: this, internal };
    this.ports.set(internal, att);
    this.setDid(internal, options.did === undefined ? internal : options.did);
    return this.#lineFor(att);
  }

  /** Give a port a DID suffix, or remove it with `null` (spec §3.2: excludes external access). */
  setDid(internal: string, did: string | null): void {
    const att = this.ports.get(internal);
    if (!att) throw new NumberingError(`PBX ${this.id} has no internal number ${internal}`);
    for (const [suffix, target] of this.#did) if (target === internal) this.#did.delete(suffix);
    if (did !== null) {
      checkNumber('DID', did);
      const other = this.#did.get(did);
      if (other !== undefined) throw new NumberingError(`DID ${did} of PBX ${this.id} already leads to ${other}`);
      this.#did.set(did, internal);
    }
    att.presented = did === null ? this.trunkNumbers[0] : this.trunkNumbers[0] + did;
  }

  didOf(internal: string): string | undefined {
    for (const [suffix, target] of this.#did) if (target === internal) return suffix;
    return undefined;
  }

  /** The port a DID suffix leads to. */
  byDid(suffix: string): Attachment | undefined {
    const internal = this.#did.get(suffix);
    return internal === undefined ? undefined : this.ports.get(internal);
  }
}

/** What a call needs of its exchange; the exchange gives each call its own, so nothing of it is public. */
interface CallHost {
  readonly clock: Clock;
  readonly pacing: boolean;
  /** `call` moved to `state`: tell whoever wants call events. */
  emit(call: Call, state: CallState, reason?: CallFailure | ReleaseCause): void;
  faulted(event: FaultApplied): void;
  /** The call is over (failed or released): free both lines' capacity. */
  ended(call: Call): void;
  /** The line-bytes tap, when someone traces. */
  readonly tap: ((event: LineBytes) => void) | undefined;
}

class Call implements IncomingCall, OutgoingCall {
  readonly #machine: StateMachine<CallState>;
  /** Made at the first listener: most calls of a fleet are refused busy at the offer and never ring. */
  #ring: Array<(on: boolean) => void> | undefined;
  #cancel: Array<() => void> | undefined;
  /**
   * The S7 no-answer limit (`DialOptions.noAnswerMs`), from dial to answer,
   * beside the other timers: an array made at the first of two pushes gets
   * room for seventeen.
   */
  #noAnswerTimer: TimerHandle | undefined;
  /** When that limit ends (clock ms), while its timer waits for the ringing (`limitAnswer`). */
  #answerBy: number | undefined;
  #timers: TimerHandle[] | undefined;
  #ringTimer: TimerHandle | undefined;
  #path: DataPath | undefined;
  /** What is cutting the call, so its release names the fault that acted. */
  #cutBy: { line: string; fault: AppliedFault } | undefined;
  callee: Attachment | undefined;
  /** Where the exchange keeps this call among those in progress; -1 once it has ended. */
  activeSlot = -1;

  constructor(
    private readonly host: CallHost,
    readonly id: number,
    readonly from: Attachment,
    readonly caller: string,
    readonly called: string,
    readonly offer: CallOffer,
    private readonly handlers: CallHandlers,
  ) {
    this.#machine = new StateMachine('call', CALL_MOVES, CallState.Setup, id);
  }

  get state(): CallState {
    return this.#machine.state;
  }

  onRing(listener: (on: boolean) => void): void {
    (this.#ring ??= []).push(listener);
  }

  onCancel(listener: () => void): void {
    (this.#cancel ??= []).push(listener);
  }

  /** Move to `next` (an illegal move is a bug in the exchange, so it throws) and report it. */
  transition(next: CallState, reason?: CallFailure | ReleaseCause): void {
    this.#machine.transition(next);
    this.host.emit(this, next, reason);
  }

  after(ms: number, fn: () => void): void {
    const timer = this.host.clock.setTimer(ms, fn);
    if (this.#timers) this.#timers.push(timer);
    else this.#timers = [timer];
  }

  /**
   * Fail with 'no-answer' unless answered within `ms` of now; the call is
   * offered `offerInMs` from now. Its timer is set when the call starts
   * ringing (`alert`), due at the same instant, unless the limit ends before
   * the offer: a call refused at the offer never rings, and in a fleet most
   * calls are busy retries, each of which put a timer into the clock's heap
   * only to cancel it.
   */
  limitAnswer(ms: number, offerInMs: number): void {
    if (ms <= offerInMs) this.#limitAnswerIn(ms);
    else this.#answerBy = this.host.clock.now() + ms;
  }

  #limitAnswerIn(ms: number): void {
    this.#noAnswerTimer = this.host.clock.setTimer(ms, () => this.fail('no-answer'));
  }

  /** Setup → Alerting, before the called terminal is offered the call (it may answer from inside the offer). */
  alert(): void {
    this.transition(CallState.Alerting);
    if (this.#answerBy !== undefined) this.#limitAnswerIn(this.#answerBy - this.host.clock.now());
    this.#answerBy = undefined;
  }

  /** Ring with the called PBX's cadence (a subscriber: the network's default); even steps are on, odd ones off. */
  startRinging(): void {
    const cadence = this.callee?.pbx?.ringCadenceMs ?? DEFAULT_RING_CADENCE_MS;
    const ring = (step: number): void => {
      if (this.state !== CallState.Alerting) return;
      if (this.#ring) for (const l of this.#ring) l(step % 2 === 0);
      this.#ringTimer = this.host.clock.setTimer(cadence[step], () => ring((step + 1) % cadence.length));
    };
    ring(0);
  }

  #stopRinging(): void {
    const wasOn = this.#ringTimer !== undefined;
    this.#ringTimer?.cancel();
    this.#ringTimer = undefined;
    if (wasOn && this.#ring) for (const l of this.#ring) l(false);
  }

  answer(link: LinkInfo | null, onConnect: (path: LineEndpoint) => void): void {
    if (this.state !== CallState.Alerting) return;
    this.#stopRinging();
    this.transition(CallState.Handshake);
    this.after(link?.handshakeMs ?? 0, () => {
      if (this.state !== CallState.Handshake) return;
      if (!link) {
        this.fail('handshake-failed');
        return;
      }
      this.#connect(link, onConnect);
    });
  }

  #connect(link: LinkInfo, onConnect: (path: LineEndpoint) => void): void {
    const callee = this.callee!;
    // Both plans read without building arrays of them: every connected call of a fleet comes through here.
    const fa = this.from.faults;
    const fb = callee.faults;
    // The smaller limit of the two plans wins; the fault event names the line whose plan it is (the caller's on a tie).
    const dropBytes = smaller(fa.dropAfterBytes, fb.dropAfterBytes);
    const dropMs = smaller(fa.dropAfterMs, fb.dropAfterMs);
    const cutter = (key: 'dropAfterBytes' | 'dropAfterMs', limit: number): string => (fa[key] === limit ? this.from.key : callee.key);
    const corrupting = fa.corruptRate > 0 ? fa : fb.corruptRate > 0 ? fb : undefined;
    this.#path = new DataPath(this.host.clock, `call ${this.id} ${this.caller}→${this.called}`, {
      bytesPerSecond: link.bytesPerSecond,
      pacing: this.host.pacing,
      latencyMs: fa.latencyMs + fb.latencyMs,
      corruptRate: corrupting?.corruptRate ?? 0,
      corruptSeed: corrupting?.corruptSeed ?? 1,
      dropAfterBytes: dropBytes,
      onRelease: (cause) => {
        // A 'network' release comes only from a cut: the plan's byte limit unless a timer or a one-shot cut came first.
        const by = this.#cutBy ?? (dropBytes !== undefined ? { line: cutter('dropAfterBytes', dropBytes), fault: 'drop-bytes' as const } : undefined);
        if (cause === 'network' && by) this.host.faulted({ call: this.id, ...by });
        this.#released(cause);
      },
      transforms: this.offer.bearer === 'voice' ? this.#voiceTransforms(callee) : undefined,
      tap: this.#tap(),
    });
    this.#clearTimers();
    if (dropMs !== undefined) this.after(dropMs, () => this.#cutNow(cutter('dropAfterMs', dropMs)));
    this.transition(CallState.Connected);
    for (const att of [this.from, callee]) {
      const pending = att.pendingCut;
      att.pendingCut = undefined;
      if (pending) this.cut(att.key, pending);
    }
    // Both ends learn of the connection even if one hangs up at once (a PBX
    // refusing access): the other then sees its bytes and the release.
    const path = this.#path;
    onConnect(path.b);
    this.handlers.onConnect(path.a, link);
    path.open();
  }

  /** Cut this connected call for `line`'s sake: after N more bytes, or T from now. */
  cut(line: string, how: LineCut): void {
    if ('afterMs' in how) {
      this.after(how.afterMs, () => this.#cutNow(line));
      return;
    }
    this.#cutBy = { line, fault: 'drop-bytes' };
    this.#path?.cutAfter(how.afterBytes);
  }

  #cutNow(line: string): void {
    this.#cutBy = { line, fault: 'drop-after' };
    this.#path?.release('network');
  }

  /** Whether the call is connected with `att` at one of its ends. */
  connects(att: Attachment): boolean {
    return this.state === CallState.Connected && (this.from === att || this.callee === att);
  }

  #tap(): DataPathOptions['tap'] {
    const tap = this.host.tap;
    if (!tap) return undefined;
    const { id: call, caller, called } = this;
    const bearer = this.offer.bearer;
    return (direction, bytes) => tap({ call, caller, called, bearer, direction, bytes });
  }

  /** Voice calls: A-law on a digital trunk (a call leaving or entering a PBX), the lines' loss, noise and dial tone. */
  #voiceTransforms(callee: Attachment): DataPathOptions['transforms'] {
    const viaTrunk = (a: Attachment): boolean => a.pbx !== undefined && a.pbx !== (a === callee ? this.from : callee).pbx;
    const digitalTrunk = [this.from, callee].some((a) => viaTrunk(a) && a.pbx?.trunkKind === 'digital');
    const [fa, fb] = [this.from.faults, callee.faults];
    const options: VoiceImpairmentOptions = {
      digitalTrunk,
      lossDb: fa.lossDb + fb.lossDb,
      noiseDbm0: fa.noiseDbm0 ?? fb.noiseDbm0,
      dialToneDbm0: fa.dialToneDbm0 ?? fb.dialToneDbm0,
      seed: fa.corruptSeed,
    };
    if (isTransparent(options)) return undefined;
    const there = new VoiceImpairment(options);
    const back = new VoiceImpairment({ ...options, seed: options.seed + 1 });
    return [(b) => there.apply(b), (b) => back.apply(b)];
  }

  #released(cause: ReleaseCause): void {
    this.#clearTimers();
    this.transition(CallState.Released, cause);
    this.host.ended(this);
  }

  /** End before connect; the caller hears `reason`, the callee sees a cancel if it was alerted. */
  fail(reason: CallFailure): void {
    if (this.#machine.isOneOf(PAST_FAILING)) return;
    const alerted = this.state !== CallState.Setup;
    this.#stopRinging();
    this.#clearTimers();
    this.transition(CallState.Failed, reason);
    this.host.ended(this);
    if (alerted && this.#cancel) for (const l of this.#cancel) l();
    this.handlers.onFail(reason);
  }

  reject(reason: 'busy' | 'unreachable'): void {
    if (this.state === CallState.Alerting) this.fail(reason);
  }

  cancel(): void {
    if (this.state === CallState.Connected) this.#path?.release('end-a');
    else this.fail('cancelled');
  }

  /** The called side goes away (its PBX loses power): a connected call is released by it, an unanswered one fails. */
  hangUpCallee(): void {
    if (this.state === CallState.Connected) this.#path?.release('end-b');
    else this.fail('unobtainable');
  }

  alerting(): void {
    this.handlers.onAlerting?.();
  }

  #clearTimers(): void {
    this.#noAnswerTimer?.cancel();
    this.#noAnswerTimer = undefined;
    const timers = this.#timers;
    if (!timers) return;
    for (const t of timers) t.cancel();
    timers.length = 0;
  }
}

/**
 * The virtual telephone network: a numbering plan of subscribers and PBXs
 * (trunk numbers, DID suffixes, internal numbers), and calls between them
 * with real outcomes and connected, paced data paths. Pure logic on the
 * injected Clock.
 */
export class Exchange {
  readonly clock: Clock;
  readonly pacing: boolean;
  readonly #setupDelayMs: number;
  readonly #subscribers = new Map<string, Attachment>();
  readonly #pbxs = new Map<string, PbxNode>();
  /**
   * The calls in progress, each at its `activeSlot`: an array, not a Set. A
   * fleet starts and ends a call at every attempt, and a Set with that much
   * churn rehashes every few operations; once its table is in the old
   * generation each new one is made there too, and the obsolete tables it
   * leaves keep the calls they held (with their data paths and all these
   * reach) out of the scavenges' reach until the next full collection, so
   * they were copied out of the young generation instead of dying in it.
   */
  readonly #active: Call[] = [];
  readonly #onEvent: ((e: CallEvent) => void) | undefined;
  readonly #eventsWanted: () => boolean;
  readonly #onFault: ((e: FaultApplied) => void) | undefined;
  readonly #callHost: CallHost;
  /** Where destinations outside the numbering plan go (bridge mode), if anywhere. */
  #gateway: { att: Attachment; accepts: (dialled: string) => boolean } | undefined;
  #nextId = 1;

  constructor(clock: Clock, options: ExchangeOptions = {}) {
    this.clock = clock;
    this.pacing = options.pacing ?? true;
    this.#setupDelayMs = options.setupDelayMs ?? DEFAULT_SETUP_DELAY_MS;
    this.#onEvent = options.onCallEvent;
    this.#eventsWanted = options.callEventsWanted ?? (() => true);
    this.#onFault = options.onFaultApplied;
    this.#callHost = {
      clock,
      pacing: this.pacing,
      emit: (call, state, reason) => this.#emit(call.id, call.caller, call.called, state, reason),
      faulted: (e) => this.#onFault?.(e),
      ended: (call) => this.#endCall(call),
      tap: options.onLineBytes,
    };
  }

  /** `channels`: calls the number takes at once (a hunt group such as a test line; default 1). */
  addSubscriber(number: string, terminal: CallTerminal, options: { channels?: number } = {}): ExchangeLine {
    checkNumber('subscriber number', number);
    if (this.#subscribers.has(number)) throw new NumberingError(`number ${number} is already assigned`);
    const att: Attachment = { terminal, key: number, presented: number, faults: { ...NO_FAULTS }, calls: 0, capacity: Math.max(1, options.channels ?? 1) };
    this.#subscribers.set(number, att);
    return this.#lineFor(att);
  }

  /**
   * A terminal for destinations outside the numbering plan: every dialled
   * string `accepts` claims (an internet address, a phone-book entry) goes
   * to it, with `called` as dialled. Returns its own line, on which it
   * places calls from outside (a TCP caller ringing a modem). Bridge mode,
   * docs/bridge.md.
   */
  addGateway(terminal: CallTerminal, accepts: (dialled: string) => boolean, options: { channels?: number } = {}): ExchangeLine {
    if (this.#gateway) throw new NumberingError('the network has a gateway already');
    const att: Attachment = { terminal, key: 'gateway', presented: '', faults: { ...NO_FAULTS }, calls: 0, capacity: Math.max(1, options.channels ?? 1) };
    this.#gateway = { att, accepts };
    return this.#lineFor(att);
  }

  removeSubscriber(number: string): void {
    this.#subscribers.delete(number);
  }

  addPbx(config: PbxConfig): PbxNode {
    if (this.#pbxs.has(config.id)) throw new NumberingError(`PBX ${config.id} already exists`);
    if (config.trunkNumbers.length === 0) throw new NumberingError(`PBX ${config.id} needs at least one trunk number`);
    for (const n of config.trunkNumbers) checkNumber('trunk number', n);
    const node = new PbxNode((att) => this.#lineFor(att), config.id, config.trunkNumbers, config.outsideLinePrefix ?? DEFAULT_OUTSIDE_LINE_PREFIX, config.trunkKind);
    this.#pbxs.set(config.id, node);
    return node;
  }

  /**
   * Take a PBX out of the numbering plan (power off): every call to or from
   * one of its ports ends as a hang-up of that side, as when the power goes.
   */
  removePbx(id: string): void {
    const node = this.#pbxs.get(id);
    if (!node) throw new NumberingError(`no PBX ${id}`);
    for (const call of this.#active.slice()) {
      if (call.from.pbx === node) call.cancel();
      else if (call.callee?.pbx === node) call.hangUpCallee();
    }
    this.#pbxs.delete(id);
  }

  pbx(id: string): PbxNode | undefined {
    return this.#pbxs.get(id);
  }

  /**
   * Set faults on a line: `target` is a public number or `pbxId:internal`.
   * Merges into the line's current plan.
   */
  setFaults(target: string, plan: Partial<FaultPlan>): void {
    const att = this.#target(target);
    Object.assign(att.faults, plan);
  }

  /**
   * Cut a line once (a rig pulling the cable mid-transfer): every call it
   * has connected now is cut after `afterBytes` more bytes or `afterMs`
   * from now; with none connected, its next connected call is. Returns how
   * many calls it acted on now (0: armed for the next).
   */
  cut(target: string, how: LineCut): number {
    const att = this.#target(target);
    const calls = this.#active.filter((c) => c.connects(att));
    for (const c of calls) c.cut(att.key, how);
    att.pendingCut = calls.length ? undefined : how;
    return calls.length;
  }

  clearFaults(target: string): void {
    const att = this.#target(target);
    att.faults = { ...NO_FAULTS };
    att.pendingCut = undefined;
  }

  faultsOf(target: string): Readonly<FaultPlan> {
    return { ...this.#target(target).faults };
  }

  /** Calls in progress (set up, alerting or connected). */
  get activeCalls(): number {
    return this.#active.length;
  }

  numberingPlan(): NumberEntry[] {
    const rows: NumberEntry[] = [...this.#subscribers.keys()].map((number) => ({ kind: 'subscriber' as const, number }));
    for (const pbx of this.#pbxs.values()) {
      for (const internal of pbx.ports.keys()) {
        const did = pbx.didOf(internal);
        rows.push({ kind: 'pbx-port', number: did === undefined ? undefined : pbx.trunkNumbers[0] + did, pbx: pbx.id, internal, did });
      }
    }
    return rows;
  }

  /** The line object handed to a terminal. */
  #lineFor(att: Attachment): ExchangeLine {
    return {
      get number() { return att.presented; },
      dial: (digits, offer, handlers, options) => this.#place(att, digits, offer, handlers, options ?? {}),
      hasDialTone: () => !att.faults.noDialtone,
    };
  }

  #emit(id: number, caller: string, called: string, state: CallState, reason?: CallFailure | ReleaseCause): void {
    if (this.#onEvent && this.#eventsWanted()) this.#onEvent({ id, caller, called, state, reason });
  }

  #endCall(call: Call): void {
    const slot = call.activeSlot;
    if (slot < 0) return;
    // The last call takes the ended one's place: no array is rebuilt.
    const last = this.#active.pop()!;
    if (last !== call) {
      this.#active[slot] = last;
      last.activeSlot = slot;
    }
    call.activeSlot = -1;
    call.from.calls--;
    if (call.callee) call.callee.calls--;
  }

  #target(target: string): Attachment {
    const colon = target.indexOf(':');
    const att = colon >= 0
      ? this.#pbxs.get(target.slice(0, colon))?.ports.get(target.slice(colon + 1))
      : this.#routePublic(target);
    if (!att) throw new NumberingError(`no line '${target}' (use a public number or pbxId:internal)`);
    return att;
  }

  #routePublic(digits: string): Attachment | undefined {
    const sub = this.#subscribers.get(digits);
    if (sub) return sub;
    for (const pbx of this.#pbxs.values()) {
      for (const trunk of pbx.trunkNumbers) {
        if (digits.length > trunk.length && digits.startsWith(trunk)) {
          const port = pbx.byDid(digits.slice(trunk.length));
          if (port) return port;
        }
      }
    }
    return undefined;
  }

  /** Whether `digits` dialled from `from` stay inside its PBX (no outside-line prefix), where the caller is its internal number. */
  #internal(from: Attachment, digits: string): boolean {
    const pbx = from.pbx;
    return pbx !== undefined && !(pbx.outsideLinePrefix && digits.startsWith(pbx.outsideLinePrefix));
  }

  /** Route as dialled from `from`: PBX ports reach internal numbers directly and the public network after the prefix. */
  #route(from: Attachment, digits: string, internal: boolean): Attachment | undefined {
    const pbx = from.pbx;
    if (!pbx) return this.#routePublic(digits);
    return internal ? pbx.ports.get(digits) : this.#routePublic(digits.slice(pbx.outsideLinePrefix.length));
  }

  #place(from: Attachment, dialled: string, offer: CallOffer, handlers: CallHandlers, options: DialOptions): OutgoingCall {
    const gateway = this.#gateway && from !== this.#gateway.att && this.#gateway.accepts(dialled) ? this.#gateway : undefined;
    // Most dial strings are digits already; only the others are rebuilt (every retry of a fleet comes through here).
    const digits = gateway || DIAL_DIGITS_ONLY.test(dialled) ? dialled : dialled.replace(/[^0-9*#]/g, '');
    // Two values, not an object of them: a fleet's busy retries each route once.
    const internal = !gateway && this.#internal(from, digits);
    const to = gateway ? gateway.att : this.#route(from, digits, internal);
    const caller = internal ? from.internal ?? '' : from.presented;
    const call = new Call(this.#callHost, this.#nextId++, from, caller, digits, offer, handlers);
    call.activeSlot = this.#active.push(call) - 1;
    from.calls++;
    this.#emit(call.id, caller, digits, CallState.Setup);
    if (from.faults.noDialtone) {
      // No dial tone is known before any digit leaves: no post-dial delay.
      this.clock.setTimer(0, () => {
        this.#onFault?.({ call: call.id, line: from.key, fault: 'no-dialtone' });
        call.fail('no-dialtone');
      });
      return call;
    }
    if (from.codeLocked && from.pbx?.outsideLinePrefix && digits.startsWith(from.pbx.outsideLinePrefix)) {
      // The PBX refuses the trunk at once (the caller hears the negative tone).
      this.clock.setTimer(0, () => call.fail('unobtainable'));
      return call;
    }
    call.after(this.#setupDelayMs, () => this.#offer(call, to));
    if (options.noAnswerMs !== undefined) call.limitAnswer(options.noAnswerMs, this.#setupDelayMs);
    return call;
  }

  #offer(call: Call, to: Attachment | undefined): void {
    if (call.state !== CallState.Setup) return;
    if (!to || to === call.from) return call.fail('unobtainable');
    if (to.faults.unreachable) {
      this.#onFault?.({ call: call.id, line: to.key, fault: 'unreachable' });
      return call.fail('unreachable');
    }
    if (to.faults.busyNextCalls > 0) {
      to.faults.busyNextCalls--;
      this.#onFault?.({ call: call.id, line: to.key, fault: 'busy' });
      return call.fail('busy');
    }
    if (to.calls >= to.capacity) return call.fail('busy');
    call.callee = to;
    to.calls++;
    // Alerting before the offer, so a terminal may answer from inside offerCall.
    call.alert();
    if (to.terminal.offerCall(call) === 'busy') {
      call.fail('busy');
      return;
    }
    // The terminal may have answered from inside offerCall.
    if ((call.state as CallState) !== CallState.Alerting) return;
    call.alerting();
    call.startRinging();
  }
}
