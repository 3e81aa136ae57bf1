import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import {
  FrmrBits,
  LAPB_MODULUS,
  decodeLapbFrame,
  describeLapbFrame,
  encodeFrmrInfo,
  encodeIFrame,
  encodeSFrame,
  encodeUFrame,
  type LapbFrame,
  type LapbRole,
  type SupervisoryType,
} from './lapb-frame.js';

/*
 * System parameters (ISO 7776 §5.7; X.25 §2.4.8). The standard leaves their
 * values to agreement between the stations; these defaults suit a 64 kbit/s
 * B channel (8,000 octets/s) and are documented in docs/x75.md.
 */

/**
 * T1, acknowledgement/retransmission timer (ISO 7776 §5.7.1). Must exceed the
 * time to send a full window and get the acknowledgement back: 7 frames of
 * N1 = 128 octets take ~120 ms at 64 kbit/s, so 1 s leaves room for latency
 * and T2. Raise it (≥ 3 s) when N1 = 2048.
 */
export const LAPB_T1_MS = 1000;
/** T2, time before an acknowledgement must be sent (ISO 7776 §5.7.2); must be < T1. */
export const LAPB_T2_MS = 100;
/**
 * N2, maximum number of transmissions of a frame or enquiry without an
 * answer (ISO 7776 §5.7.3), after which the link is reset or given up.
 */
export const LAPB_N2 = 10;
/** k, maximum number of outstanding I frames (ISO 7776 §5.7.4); at most 7 modulo 8. */
export const LAPB_K = 7;
/**
 * N1, maximum octets in an I field (ISO 7776 §5.7.5 counts bits of the whole
 * frame; we count the information field only). 128 is X.25's default packet
 * size; ISDN terminal adapters (T.90, CAPI X.75 SLP) usually allow 2048.
 */
export const LAPB_N1_OCTETS = 128;

export interface LapbParams {
  t1Ms: number;
  t2Ms: number;
  n2: number;
  k: number;
  n1: number;
}

export const DEFAULT_LAPB_PARAMS: Readonly<LapbParams> = { t1Ms: LAPB_T1_MS, t2Ms: LAPB_T2_MS, n2: LAPB_N2, k: LAPB_K, n1: LAPB_N1_OCTETS };

/**
 * Link states (ISO 7776 §5: disconnected phase, link set-up, information
 * transfer with its timer-recovery condition, frame-reject condition, and
 * disconnection).
 *
 * ```
 *                     connect()                 UA
 *   DISCONNECTED ───────────────► LINK_SETUP ─────────────► INFORMATION_TRANSFER ◄──┐
 *     ▲  │  ▲  SABM rcvd / UA sent    │ ▲  DM(F=1), N2 SABMs                 │   ▲  │ F=1 response
 *     │  │  └──────────────────────────┘ │  (link-down)        T1 expiry     ▼   │  │ to the poll
 *     │  └───────────────────────────────┼──────────────────────────────────► TIMER_RECOVERY
 *     │        SABM rcvd → INFORMATION_TRANSFER                               │  (N2 polls unanswered,
 *     │                                  └────── FRMR rcvd, N2 exceeded ◄─────┘   FRMR rcvd → LINK_SETUP)
 *     │
 *     │  DISC rcvd / DM rcvd (from up states)     invalid frame rcvd (up states)
 *     ├──────────────────────────────────────    ─────────────────────────────► FRAME_REJECT
 *     │                                             SABM rcvd → INFORMATION_TRANSFER,
 *     │  UA/DM rcvd, N2 DISCs                       N2 FRMRs → LINK_SETUP, DISC → DISCONNECTED
 *     └──────────────── DISCONNECT_REQUEST ◄─── disconnect() from any connected state
 * ```
 * Every state can go to DISCONNECTED through `destroy()`.
 */
export enum LapbState {
  Disconnected = 'disconnected',
  LinkSetup = 'link-setup',
  InformationTransfer = 'information-transfer',
  TimerRecovery = 'timer-recovery',
  FrameReject = 'frame-reject',
  DisconnectRequest = 'disconnect-request',
}

const LAPB_MOVES: TransitionTable<LapbState> = {
  [LapbState.Disconnected]: [LapbState.LinkSetup, LapbState.InformationTransfer],
  [LapbState.LinkSetup]: [LapbState.InformationTransfer, LapbState.Disconnected, LapbState.DisconnectRequest],
  [LapbState.InformationTransfer]: [LapbState.TimerRecovery, LapbState.LinkSetup, LapbState.FrameReject, LapbState.DisconnectRequest, LapbState.Disconnected],
  [LapbState.TimerRecovery]: [LapbState.InformationTransfer, LapbState.LinkSetup, LapbState.FrameReject, LapbState.DisconnectRequest, LapbState.Disconnected],
  [LapbState.FrameReject]: [LapbState.InformationTransfer, LapbState.LinkSetup, LapbState.DisconnectRequest, LapbState.Disconnected],
  [LapbState.DisconnectRequest]: [LapbState.Disconnected],
};

const UP_STATES: ReadonlySet<LapbState> = new Set([LapbState.InformationTransfer, LapbState.TimerRecovery]);

/** Why the link went down (argument of `onLinkDown`). */
export type LinkDownReason =
  | 'n2-exceeded'
  | 'disc-received'
  | 'dm-received'
  | 'refused'
  | 'frmr-received'
  | 'frmr-sent'
  | 'local-disconnect'
  /** The answering side waited T1 × N2 and the caller never sent SABM (x75-pump.ts). */
  | 'setup-timeout'
  | 'destroyed';

/** Why the state changed when the link did not go down. */
export type StateChangeNote = 'connect' | 'sabm-received' | 'ua-received' | 't1-expired' | 'poll-answered' | 'reset-by-peer';

/** Thrown for calls the current state cannot serve, and for illegal state moves (a bug). */
export class LapbError extends Error {
  override name = 'LapbError';
}

export interface LapbStats {
  framesIn: number;
  framesOut: number;
  iFramesSent: number;
  iFramesRetransmitted: number;
  rejSent: number;
  rejReceived: number;
  rnrSent: number;
  t1Expiries: number;
  frmrSent: number;
  frmrReceived: number;
  linkResets: number;
  discardedFrames: number;
}

export type LapbLogger = Pick<Logger, 'debug' | 'warn'>;

const NO_LOG: LapbLogger = { debug: () => undefined, warn: () => undefined };

export interface LapbStationOptions {
  clock: Clock;
  role: LapbRole;
  /** Called with each frame's content (address, control, info; no FCS) to put on the line. */
  transmit: (content: Uint8Array) => void;
  params?: Partial<LapbParams>;
  logger?: LapbLogger;
}

type Listener<T extends unknown[]> = (...args: T) => void;

/**
 * One LAPB station (ISO 7776 single link procedure, modulo 8) on the
 * injected Clock. Pure: frames in through `receiveFrame()`, frames out
 * through `transmit`; framing and FCS are the HdlcFramer's job.
 *
 * Guarantee while the link stays up: user data reaches the peer's `onData`
 * once, in order, whatever frames the line loses or corrupts (go-back-N
 * with REJ and T1 polling). When the link goes down (`onLinkDown`), queued
 * and unacknowledged data is discarded and the owner decides what follows;
 * the X75Link glue hangs up the call.
 */
export class LapbStation {
  readonly role: LapbRole;
  readonly params: Readonly<LapbParams>;
  readonly stats: LapbStats = {
    framesIn: 0, framesOut: 0, iFramesSent: 0, iFramesRetransmitted: 0, rejSent: 0, rejReceived: 0,
    rnrSent: 0, t1Expiries: 0, frmrSent: 0, frmrReceived: 0, linkResets: 0, discardedFrames: 0,
  };

  readonly #clock: Clock;
  readonly #transmit: (content: Uint8Array) => void;
  readonly #log: LapbLogger;
  readonly #machine = new StateMachine('lapb', LAPB_MOVES, LapbState.Disconnected);
  #destroyed = false;
  #downReported = true;

  /** V(A): oldest unacknowledged send sequence number. V(S) = V(A) + #sentCount. */
  #va = 0;
  #vr = 0;
  /** I fields numbered V(A), V(A)+1, … awaiting acknowledgement (some maybe not yet (re)sent). */
  #outstanding: Uint8Array[] = [];
  /** How many of #outstanding have been transmitted since the last go-back. */
  #sentCount = 0;
  /** Segments not yet numbered; the tail grows up to N1 by coalescing small writes. */
  #queue: Uint8Array[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  /** N(R) we last told the peer; the difference to V(R) is what still needs acknowledging. */
  #lastSentNr = 0;
  #peerBusy = false;
  #ownBusy = false;
  #discardedWhileBusy = false;
  /** REJ exception condition (ISO 7776 §5.6.4): only one REJ per gap. */
  #rejectSent = false;
  #retryCount = 0;
  #frmrInfo: Uint8Array = new Uint8Array(0);
  #frmrFinal = false;
  #t1: TimerHandle | undefined;
  /** Set while answering SABM, so no I frame overtakes the UA. */
  #holdOutput = false;
  #t2: TimerHandle | undefined;

  readonly #dataListeners: Listener<[Uint8Array]>[] = [];
  readonly #stateListeners: Listener<[LapbState, LapbState, LinkDownReason | StateChangeNote]>[] = [];
  readonly #upListeners: Listener<[]>[] = [];
  readonly #downListeners: Listener<[LinkDownReason]>[] = [];

  constructor(options: LapbStationOptions) {
    this.#clock = options.clock;
    this.#transmit = options.transmit;
    this.role = options.role;
    this.#log = options.logger ?? NO_LOG;
    this.params = validateParams({ ...DEFAULT_LAPB_PARAMS, ...options.params });
  }

  get state(): LapbState {
    return this.#machine.state;
  }

  /** True in information transfer (including timer recovery). */
  get isUp(): boolean {
    return UP_STATES.has(this.#machine.state);
  }

  /** Octets accepted by `send()` and not yet acknowledged by the peer. */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#outstanding.reduce((n, b) => n + b.length, 0);
  }

  /** True while the peer has signalled RNR. */
  get peerBusy(): boolean {
    return this.#peerBusy;
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.#dataListeners.push(listener);
  }

  /** Every state change: (new, old, reason). */
  onState(listener: (state: LapbState, previous: LapbState, reason: LinkDownReason | StateChangeNote) => void): void {
    this.#stateListeners.push(listener);
  }

  onLinkUp(listener: () => void): void {
    this.#upListeners.push(listener);
  }

  /**
   * Once per loss of the link, or per failed set-up attempt. Listeners run
   * in the middle of a procedure: they may read state but must defer calls
   * back into the station (connect/disconnect/destroy) to a later tick.
   */
  onLinkDown(listener: (reason: LinkDownReason) => void): void {
    this.#downListeners.push(listener);
  }

  /** Start link set-up (SABM); no-op when already set up or setting up. */
  connect(): void {
    this.#assertAlive();
    if (this.#machine.state !== LapbState.Disconnected) return;
    this.#downReported = false;
    this.#startLinkSetup('connect');
  }

  /** Disconnect (DISC); queued data is discarded. No-op when disconnected. */
  disconnect(): void {
    if (this.#destroyed || this.#machine.state === LapbState.Disconnected || this.#machine.state === LapbState.DisconnectRequest) return;
    this.#discardData();
    this.#stopTimers();
    this.#retryCount = 0;
    this.#transition(LapbState.DisconnectRequest, 'local-disconnect');
    this.#startT1(); // before sending: a synchronous line may answer inside the send
    this.#sendU('DISC', true);
  }

  /** Stop for good: timers cancelled, nothing more sent, frames in are ignored. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#stopTimers();
    this.#discardData();
    if (this.#machine.state !== LapbState.Disconnected) this.#transition(LapbState.Disconnected, 'destroyed');
  }

  /**
   * Queue user data, segmented to N1-octet I fields. Allowed while the link
   * is being set up or is up; throws LapbError otherwise.
   */
  send(data: Uint8Array): void {
    this.#assertAlive();
    if (this.#machine.state === LapbState.Disconnected || this.#machine.state === LapbState.DisconnectRequest) {
      throw new LapbError(`cannot send in state ${this.#machine.state}`);
    }
    if (data.length === 0) return;
    const n1 = this.params.n1;
    let offset = 0;
    const tailIndex = this.#queue.length - 1;
    if (tailIndex >= this.#queueHead) {
      const tail = this.#queue[tailIndex];
      const room = Math.min(n1 - tail.length, data.length);
      if (room > 0) {
        const merged = new Uint8Array(tail.length + room);
        merged.set(tail);
        merged.set(data.subarray(0, room), tail.length);
        this.#queue[tailIndex] = merged;
        offset = room;
      }
    }
    for (; offset < data.length; offset += n1) this.#queue.push(data.slice(offset, offset + n1));
    this.#queuedBytes += data.length;
    this.#pump();
  }

  /**
   * Own receiver busy (ISO 7776 §5.6.6): while set, incoming I frames are
   * discarded and answered with RNR; clearing it sends RR, or REJ when
   * frames were discarded so the peer resends them at once.
   */
  setReceiverBusy(busy: boolean): void {
    if (this.#destroyed || busy === this.#ownBusy) return;
    this.#ownBusy = busy;
    if (!this.isUp) return;
    if (busy) {
      this.#sendS('RNR', false, false);
    } else if (this.#discardedWhileBusy) {
      this.#discardedWhileBusy = false;
      this.#rejectSent = true;
      this.#sendS('REJ', false, false);
    } else {
      this.#sendS('RR', false, false);
    }
  }

  /** Feed one received frame's content (FCS already checked and removed). Never throws for bad input. */
  receiveFrame(content: Uint8Array): void {
    if (this.#destroyed) return;
    this.stats.framesIn++;
    const frame = decodeLapbFrame(content, this.role, this.params.n1);
    if (!frame) {
      this.stats.discardedFrames++;
      this.#log.debug({ octets: content.length }, 'lapb: frame discarded (short or foreign address)');
      return;
    }
    this.#log.debug({ state: this.#machine.state, frame: describeLapbFrame(frame) }, 'lapb: rx');
    switch (this.#machine.state) {
      case LapbState.Disconnected: return this.#inDisconnected(frame);
      case LapbState.LinkSetup: return this.#inLinkSetup(frame);
      case LapbState.InformationTransfer:
      case LapbState.TimerRecovery: return this.#inUp(frame);
      case LapbState.FrameReject: return this.#inFrameReject(frame);
      case LapbState.DisconnectRequest: return this.#inDisconnectRequest(frame);
    }
  }

  // ── per-state reception ──────────────────────────────────────────────

  #inDisconnected(frame: LapbFrame): void {
    if (frame.kind === 'U' && frame.type === 'SABM') {
      this.#resetVariables();
      this.#acceptSetup(frame.pf);
    } else if (frame.command && (frame.pf || (frame.kind === 'U' && frame.type === 'DISC'))) {
      // ISO 7776 §5.4: in the disconnected phase, DM answers DISC and polled commands.
      this.#sendU('DM', frame.pf);
    }
  }

  #inLinkSetup(frame: LapbFrame): void {
    if (frame.kind !== 'U') return; // other frames are ignored during set-up (ISO 7776 §5.3)
    switch (frame.type) {
      case 'UA':
        this.#stopTimers();
        this.#resetVariables();
        this.#transition(LapbState.InformationTransfer, 'ua-received');
        this.#pump();
        return;
      case 'SABM': // collision of SABMs (ISO 7776 §5.3.3): answer, keep waiting for our UA
        this.#sendU('UA', frame.pf);
        return;
      case 'DISC':
        this.#sendU('DM', frame.pf);
        return;
      case 'DM':
        if (!frame.pf) return; // only DM F=1 answers our SABM P=1
        this.#stopTimers();
        this.#transition(LapbState.Disconnected, 'refused');
        return;
      case 'FRMR':
        return;
    }
  }

  #inDisconnectRequest(frame: LapbFrame): void {
    if (frame.kind !== 'U') return;
    if (frame.type === 'UA' || frame.type === 'DM') {
      this.#stopTimers();
      this.#transition(LapbState.Disconnected, 'local-disconnect');
    } else if (frame.type === 'DISC') {
      this.#sendU('UA', frame.pf); // both sides disconnecting at once
    } else if (frame.type === 'SABM') {
      this.#sendU('DM', frame.pf);
    }
  }

  #inFrameReject(frame: LapbFrame): void {
    if (frame.kind !== 'U') return;
    switch (frame.type) {
      case 'SABM':
        this.#stopTimers();
        this.#resetVariables();
        this.#acceptSetup(frame.pf);
        return;
      case 'DISC':
        this.#stopTimers();
        this.#sendU('UA', frame.pf);
        this.#transition(LapbState.Disconnected, 'disc-received');
        return;
      case 'DM':
        this.#stopTimers();
        this.#transition(LapbState.Disconnected, 'dm-received');
        return;
      case 'FRMR':
        this.stats.frmrReceived++;
        this.#startLinkSetup('frmr-received');
        return;
      case 'UA':
        return;
    }
  }

  #inUp(frame: LapbFrame): void {
    switch (frame.kind) {
      case 'invalid':
        return this.#rejectFrame(frame, frame.frmr, frame.why);
      case 'U':
        return this.#unnumberedWhileUp(frame);
      case 'I':
        if (!this.#nrValid(frame.nr)) return this.#rejectFrame(frame, FrmrBits.Z, `N(R)=${frame.nr} outside V(A)=${this.#va}..V(S)=${this.#vs}`);
        return this.#iFrame(frame);
      case 'S':
        if (!this.#nrValid(frame.nr)) return this.#rejectFrame(frame, FrmrBits.Z, `N(R)=${frame.nr} outside V(A)=${this.#va}..V(S)=${this.#vs}`);
        return this.#supervisory(frame);
    }
  }

  #unnumberedWhileUp(frame: Extract<LapbFrame, { kind: 'U' }>): void {
    switch (frame.type) {
      case 'SABM': {
        // Peer reset (ISO 7776 §5.5): renumber from 0. Our unacknowledged I
        // fields go back to the head of the queue: the usual cause is a lost
        // UA after colliding SABMs, when the peer has delivered none of them.
        this.stats.linkResets++;
        this.#log.warn({ unacked: this.#outstanding.length }, 'lapb: link reset by peer SABM');
        this.#requeueOutstanding();
        this.#stopTimers();
        this.#resetVariables();
        this.#sendU('UA', frame.pf);
        if (this.#machine.state === LapbState.TimerRecovery) this.#transition(LapbState.InformationTransfer, 'reset-by-peer');
        if (this.#ownBusy) this.#sendS('RNR', false, false);
        this.#pump();
        return;
      }
      case 'DISC':
        this.#discardData();
        this.#stopTimers();
        this.#sendU('UA', frame.pf);
        this.#transition(LapbState.Disconnected, 'disc-received');
        return;
      case 'DM':
        this.#discardData();
        this.#stopTimers();
        this.#transition(LapbState.Disconnected, 'dm-received');
        return;
      case 'FRMR':
        this.stats.frmrReceived++;
        this.#log.warn({ info: Buffer.from(frame.info).toString('hex') }, 'lapb: FRMR received, resetting link');
        this.#startLinkSetup('frmr-received');
        return;
      case 'UA':
        this.#log.debug({}, 'lapb: unsolicited UA ignored');
        return;
    }
  }

  #iFrame(frame: Extract<LapbFrame, { kind: 'I' }>): void {
    this.#acknowledge(frame.nr);
    if (this.#ownBusy) {
      this.#discardedWhileBusy = true;
      if (frame.pf) this.#sendS('RNR', false, true);
      return;
    }
    if (frame.ns !== this.#vr) {
      // Out of sequence: a frame before it was lost. Go-back-N: discard,
      // ask once for retransmission from V(R) (ISO 7776 §5.6.4).
      if (!this.#rejectSent) {
        this.#rejectSent = true;
        this.#sendS('REJ', false, frame.pf);
      } else if (frame.pf) {
        this.#sendS('RR', false, true);
      }
      this.#pump();
      return;
    }
    this.#vr = (this.#vr + 1) % LAPB_MODULUS;
    this.#rejectSent = false;
    if (frame.pf) this.#sendS('RR', false, true);
    for (const l of this.#dataListeners) l(frame.info);
    if (!this.isUp) return; // a listener may have disconnected
    this.#pump();
    this.#scheduleAck();
  }

  #supervisory(frame: Extract<LapbFrame, { kind: 'S' }>): void {
    this.#peerBusy = frame.type === 'RNR';
    if (frame.type === 'REJ') this.stats.rejReceived++;
    if (frame.command && frame.pf) this.#sendS(this.#ownBusy ? 'RNR' : 'RR', false, true); // enquiry response
    if (this.#machine.state === LapbState.TimerRecovery && !frame.command && frame.pf) {
      // The answer to our poll (ISO 7776 §5.6.7): resume from its N(R).
      this.#acknowledge(frame.nr);
      this.#stopT1();
      this.#goBack();
      this.#transition(LapbState.InformationTransfer, 'poll-answered');
      if (this.#peerBusy || this.#sentCount > 0) this.#startT1();
      this.#pump();
      return;
    }
    this.#acknowledge(frame.nr);
    if (frame.type === 'REJ' && this.#machine.state === LapbState.InformationTransfer) {
      this.#stopT1();
      this.#goBack();
    }
    if (this.#peerBusy && !this.#t1) this.#startT1(); // poll the busy peer on T1
    if (this.#machine.state === LapbState.InformationTransfer && !this.#peerBusy && this.#sentCount === 0) this.#stopT1();
    this.#pump();
  }

  // ── sending ──────────────────────────────────────────────────────────

  get #vs(): number {
    return (this.#va + this.#sentCount) % LAPB_MODULUS;
  }

  /** Send I frames while the window, the peer and the state allow. */
  #pump(): void {
    if (this.#holdOutput) return;
    const k = this.params.k;
    // state re-checked every round: a synchronous line may answer inside #out
    while (this.#machine.state === LapbState.InformationTransfer && !this.#peerBusy) {
      if (this.#sentCount === this.#outstanding.length) {
        if (this.#outstanding.length >= k || this.#queueHead >= this.#queue.length) break;
        const next = this.#queue[this.#queueHead];
        this.#queue[this.#queueHead++] = EMPTY;
        this.#queuedBytes -= next.length;
        if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#queueHead);
          this.#queueHead = 0;
        }
        this.#outstanding.push(next);
      } else {
        this.stats.iFramesRetransmitted++;
      }
      const info = this.#outstanding[this.#sentCount];
      const ns = this.#vs;
      this.#sentCount++;
      this.stats.iFramesSent++;
      this.#markAcknowledged();
      if (!this.#t1) this.#startT1();
      this.#out(encodeIFrame(this.role, ns, this.#vr, info));
    }
  }

  /** Process a valid N(R): drop acknowledged I fields, manage T1. */
  #acknowledge(nr: number): void {
    const n = (nr - this.#va + LAPB_MODULUS) % LAPB_MODULUS;
    if (n === 0) return;
    this.#outstanding.splice(0, n);
    this.#sentCount -= n;
    this.#va = nr;
    if (this.#machine.state !== LapbState.InformationTransfer) return; // in timer recovery T1 keeps polling
    this.#stopT1();
    if (this.#sentCount > 0 || this.#peerBusy) this.#startT1();
  }

  /** Go-back-N: everything from V(A) on is sent again. */
  #goBack(): void {
    this.#sentCount = 0;
  }

  #nrValid(nr: number): boolean {
    return (nr - this.#va + LAPB_MODULUS) % LAPB_MODULUS <= this.#sentCount;
  }

  /** Acknowledge at once when half a window is waiting, else within T2. */
  #scheduleAck(): void {
    const waiting = (this.#vr - this.#lastSentNr + LAPB_MODULUS) % LAPB_MODULUS;
    if (waiting === 0) return;
    if (waiting >= Math.ceil(this.params.k / 2)) {
      this.#sendS(this.#ownBusy ? 'RNR' : 'RR', false, false);
      return;
    }
    if (!this.#t2) this.#t2 = this.#clock.setTimer(this.params.t2Ms, () => this.#onT2());
  }

  #onT2(): void {
    this.#t2 = undefined;
    if (this.isUp && this.#vr !== this.#lastSentNr) this.#sendS(this.#ownBusy ? 'RNR' : 'RR', false, false);
  }

  #markAcknowledged(): void {
    this.#lastSentNr = this.#vr;
    if (this.#t2) {
      this.#t2.cancel();
      this.#t2 = undefined;
    }
  }

  #sendS(type: SupervisoryType, command: boolean, pf: boolean): void {
    if (type === 'REJ') this.stats.rejSent++;
    if (type === 'RNR') this.stats.rnrSent++;
    this.#markAcknowledged();
    this.#out(encodeSFrame(this.role, type, this.#vr, command, pf));
  }

  #sendU(type: 'SABM' | 'DISC' | 'DM' | 'UA' | 'FRMR', pf: boolean, info?: Uint8Array): void {
    this.#out(encodeUFrame(this.role, type, pf, info));
  }

  #out(content: Uint8Array): void {
    this.stats.framesOut++;
    this.#transmit(content);
  }

  // ── procedures ───────────────────────────────────────────────────────

  /**
   * Answer SABM with UA and go up. The state changes first so a synchronous
   * line's next frame finds us up; I frames that onLinkUp listeners queue
   * wait until the UA is out.
   */
  #acceptSetup(final: boolean): void {
    this.#holdOutput = true;
    try {
      this.#transition(LapbState.InformationTransfer, 'sabm-received');
    } finally {
      this.#holdOutput = false;
    }
    this.#sendU('UA', final);
    this.#pump();
  }

  #startLinkSetup(reason: 'connect' | LinkDownReason): void {
    if (this.#machine.state !== LapbState.Disconnected) {
      this.stats.linkResets++;
      this.#discardData();
    }
    this.#stopTimers();
    this.#retryCount = 0;
    this.#transition(LapbState.LinkSetup, reason);
    this.#startT1();
    this.#sendU('SABM', true);
  }

  /** Frame-reject condition (ISO 7776 §5.6.9): report, wait for the peer to reset. */
  #rejectFrame(frame: LapbFrame, bits: number, why: string): void {
    this.stats.frmrSent++;
    this.#log.warn({ frame: describeLapbFrame(frame), why }, 'lapb: frame rejected');
    this.#frmrInfo = encodeFrmrInfo(frame.control, this.#vs, this.#vr, !frame.command, bits);
    this.#frmrFinal = frame.pf;
    this.#discardData();
    this.#stopTimers();
    this.#retryCount = 0;
    this.#transition(LapbState.FrameReject, 'frmr-sent');
    this.#startT1();
    this.#sendU('FRMR', this.#frmrFinal, this.#frmrInfo);
  }

  #onT1(): void {
    this.#t1 = undefined;
    this.stats.t1Expiries++;
    switch (this.#machine.state) {
      case LapbState.LinkSetup:
        if (this.#retryCount >= this.params.n2) return this.#giveUp('n2-exceeded');
        this.#retryCount++;
        this.#startT1();
        this.#sendU('SABM', true);
        return;
      case LapbState.DisconnectRequest:
        if (this.#retryCount >= this.params.n2) return this.#giveUp('local-disconnect');
        this.#retryCount++;
        this.#startT1();
        this.#sendU('DISC', true);
        return;
      case LapbState.FrameReject:
        if (this.#retryCount >= this.params.n2) return this.#startLinkSetup('frmr-sent');
        this.#retryCount++;
        this.#startT1();
        this.#sendU('FRMR', this.#frmrFinal, this.#frmrInfo);
        return;
      case LapbState.InformationTransfer:
        // Timer recovery (ISO 7776 §5.6.7): ask the peer where it stands with
        // a polled supervisory command instead of resending the whole window.
        this.#retryCount = 0;
        this.#transition(LapbState.TimerRecovery, 't1-expired');
        this.#enquire();
        return;
      case LapbState.TimerRecovery:
        if (this.#retryCount >= this.params.n2) return this.#startLinkSetup('n2-exceeded');
        this.#enquire();
        return;
      case LapbState.Disconnected:
        return;
    }
  }

  #enquire(): void {
    this.#retryCount++;
    this.#startT1();
    this.#sendS(this.#ownBusy ? 'RNR' : 'RR', true, true);
  }

  #giveUp(reason: LinkDownReason): void {
    this.#stopTimers();
    this.#transition(LapbState.Disconnected, reason);
  }

  #resetVariables(): void {
    this.#va = 0;
    this.#vr = 0;
    this.#sentCount = 0;
    this.#lastSentNr = 0;
    this.#peerBusy = false;
    this.#rejectSent = false;
    this.#discardedWhileBusy = false;
    this.#retryCount = 0;
  }

  #requeueOutstanding(): void {
    const back = this.#outstanding;
    this.#outstanding = [];
    this.#sentCount = 0;
    const rest = this.#queue.slice(this.#queueHead);
    this.#queue = [...back, ...rest];
    this.#queueHead = 0;
    this.#queuedBytes += back.reduce((n, b) => n + b.length, 0);
  }

  #discardData(): void {
    const dropped = this.pendingBytes;
    if (dropped > 0) this.#log.warn({ octets: dropped }, 'lapb: unacknowledged data discarded');
    this.#outstanding = [];
    this.#sentCount = 0;
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
  }

  #startT1(): void {
    this.#stopT1();
    this.#t1 = this.#clock.setTimer(this.params.t1Ms, () => this.#onT1());
  }

  #stopT1(): void {
    this.#t1?.cancel();
    this.#t1 = undefined;
  }

  #stopTimers(): void {
    this.#stopT1();
    this.#t2?.cancel();
    this.#t2 = undefined;
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new LapbError('station destroyed');
  }

  /** The one place the state changes: checks the move, logs it, emits events. */
  #transition(to: LapbState, reason: LinkDownReason | StateChangeNote): void {
    const from = this.#machine.state;
    if (!this.#machine.can(to)) {
      this.#log.warn({ from, to, reason }, 'lapb: illegal state transition refused');
      throw new LapbError(`illegal LAPB transition ${from} → ${to} (${reason})`);
    }
    this.#machine.transition(to);
    this.#log.debug({ from, to, reason }, 'lapb: state');
    for (const l of this.#stateListeners) l(to, from, reason);
    const wasUp = UP_STATES.has(from);
    const nowUp = UP_STATES.has(to);
    if (!wasUp && nowUp) {
      this.#downReported = false;
      for (const l of this.#upListeners) l();
    } else if ((wasUp && !nowUp) || to === LapbState.Disconnected) {
      if (this.#downReported) return;
      this.#downReported = true;
      // every move that takes the link down is made with a LinkDownReason
      for (const l of this.#downListeners) l(reason as LinkDownReason);
    }
  }
}

const EMPTY = new Uint8Array(0);

function validateParams(p: LapbParams): LapbParams {
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`LAPB parameter ${what}`);
  };
  check(Number.isFinite(p.t1Ms) && p.t1Ms > 0, `T1 must be > 0 ms, got ${p.t1Ms}`);
  check(Number.isFinite(p.t2Ms) && p.t2Ms >= 0 && p.t2Ms < p.t1Ms, `T2 must be >= 0 and < T1 (ISO 7776 §5.7.2), got ${p.t2Ms}`);
  check(Number.isInteger(p.n2) && p.n2 >= 1, `N2 must be an integer >= 1, got ${p.n2}`);
  check(Number.isInteger(p.k) && p.k >= 1 && p.k <= LAPB_MODULUS - 1, `k must be 1..7 modulo 8, got ${p.k}`);
  check(Number.isInteger(p.n1) && p.n1 >= 1, `N1 must be an integer >= 1 octet, got ${p.n1}`);
  return p;
}
