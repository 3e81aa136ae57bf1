import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { FrameDecoder } from '../../firmware-sim/report-frame.js';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import {
  FRAME_IDLE_TIMEOUT_MS, HELLO_TIMEOUT_MS, LINGER_AFTER_FINAL_MS, MAX_FRAME_TRIES, NakReason, PROTOCOL_TAG, READY_LINE,
  ackLine, nakLine, parseExchangeLine,
} from '../../firmware-sim/report-exchange.js';
import { pushStream } from '../adapters/push-stream.js';
import { silentLogger, type Logger } from '../logger.js';
import { ReportDecodeError, decodeReport } from './report-decoder.js';
import type { AppendResult, ReportStore } from './report-store.js';

/**
 * Hayes escape guard time (register S12, factory 50 × 20 ms = 1 s): "+++"
 * must be preceded and followed by this much silence. The margin covers a
 * real serial or TCP path.
 */
export const ESCAPE_GUARD_MS = 1_000;
export const GUARD_MARGIN_MS = 200;
/** How long a command result (OK) may take before the receiver sends the command again. */
export const COMMAND_TIMEOUT_MS = 5_000;
/**
 * How long the modem may take from RING to CONNECT or NO CARRIER: longer
 * than its S7 wait for carrier (V.250 §6.3; 50 s in the lab's modems),
 * after which the receiver stops waiting for the answer's outcome.
 */
export const ANSWER_TIMEOUT_MS = 60_000;
/** Modem set-up: reset to the stored profile, then echo off and auto-answer on the first ring (S0=1). */
export const INIT_COMMANDS = ['ATZ', 'ATE0S0=1'] as const;

/**
 * Centre receiver states (spec §3.4, docs/error-report.md §3).
 *
 * ```
 *   Init ──OK×2──▶ Idle ──RING──▶ Answering ──CONNECT──▶ Hello ──HELLO──▶ Frame ──report──▶ Storing ──committed, ACK──▶ Final
 *    ▲ ATZ,         ▲ ▲ (auto-answer)  │ NO CARRIER, 60 s    │ 20 s    │ NAK CRC/TIMEOUT (≤ 3 frames)  │ 5 s linger
 *    │ ATE0S0=1     │ └────────────────┘                     ▼         ▼                              ▼
 *    │              └──── OK after ATH ◀── HangUp (guard, +++, guard, ATH) ◀──────────────┘
 *    │              └──── NO CARRIER (the PBX hung up) from any call state
 *
 *   HangUp (silence) ──guard──▶ Escape (+++ sent) ──OK / guard──▶ Ath (ATH sent) ──OK──▶ Idle
 *
 *   Idle ──lend()──▶ Lent (a program dials out on the modem) ──given back──▶ Init
 *   Idle ──CONNECT──▶ Hello also without a RING line (a modem set not to report it)
 * ```
 * Answering is its own state because the modem, answering on the first
 * ring (S0=1), is busy until CONNECT: a modem lent then would have the
 * borrower's commands abort the PBX's call.
 * ```
 * ```
 * Storing lasts as long as the database takes to commit (no time at all on
 * SQLite, whose commit is synchronous); the ACK goes out only after it.
 * While in a call the modem is off hook, so another PBX calling meanwhile
 * gets BUSY and retries after its signaling interval. `start()` (again)
 * restarts Init; `close()` and a lost modem line go to Closed from any state.
 */
export enum ReceiverState {
  Init = 'init',
  Idle = 'idle',
  Answering = 'answering',
  Hello = 'hello',
  Frame = 'frame',
  Storing = 'storing',
  Final = 'final',
  HangUp = 'hang-up',
  Escape = 'escape',
  Ath = 'ath',
  Lent = 'lent',
  Closed = 'closed',
}

const RECEIVER_MOVES: TransitionTable<ReceiverState> = {
  [ReceiverState.Init]: [ReceiverState.Init, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Idle]: [ReceiverState.Answering, ReceiverState.Hello, ReceiverState.Lent, ReceiverState.Closed],
  [ReceiverState.Answering]: [ReceiverState.Hello, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Hello]: [ReceiverState.Frame, ReceiverState.Final, ReceiverState.HangUp, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Frame]: [ReceiverState.Storing, ReceiverState.Final, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Storing]: [ReceiverState.Final, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Final]: [ReceiverState.HangUp, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.HangUp]: [ReceiverState.Escape, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Escape]: [ReceiverState.Ath, ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Ath]: [ReceiverState.Idle, ReceiverState.Closed],
  [ReceiverState.Lent]: [ReceiverState.Init, ReceiverState.Closed],
  [ReceiverState.Closed]: [],
};

/** The states of a call in progress: a NO CARRIER in any of them is the PBX hanging up. */
const IN_CALL: readonly ReceiverState[] = [ReceiverState.Hello, ReceiverState.Frame, ReceiverState.Storing, ReceiverState.Final, ReceiverState.HangUp, ReceiverState.Escape, ReceiverState.Ath];

export type ReceiverEvent =
  | { type: 'ready' }
  | { type: 'connect'; text: string }
  | { type: 'stored'; systemId: string; seq: number; records: number; duplicate: boolean }
  | { type: 'nak'; reason: NakReason; systemId?: string }
  | { type: 'call-ended'; by: 'pbx' | 'centre' };

export interface CentreReceiverOptions {
  clock: Clock;
  /** The DTE side of the centre's modem: in-process pair, TCP client, pty or serial line. */
  line: LineEndpoint;
  store: ReportStore;
  logger?: Logger;
  /** For logs and status, e.g. the modem's name. */
  name?: string;
}

/**
 * The centre's receiving program for one modem: sets the modem to
 * auto-answer, takes each signaling call through the report exchange,
 * stores the report durably before acknowledging, hangs up and waits for
 * the next call. Pure logic on the injected clock, so the same code runs
 * in virtual time in-process and in real time over TCP.
 */
export class CentreReceiver {
  readonly name: string;
  readonly #clock: Clock;
  readonly #line: LineEndpoint;
  readonly #store: ReportStore;
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder();
  readonly #listeners: Array<(e: ReceiverEvent) => void> = [];
  readonly #machine: StateMachine<ReceiverState>;
  #initStep = 0;
  #timer: TimerHandle | undefined;
  #systemId = '';
  #frames = 0;
  /** Reports stored or re-acknowledged since start. */
  #received = 0;
  /** Calls answered since start: a commit that resolves after its call ended must not act on the next one. */
  #calls = 0;
  /** Frame state: when the last bytes came; the idle timer re-arms itself for the rest rather than being re-set per batch. */
  #lastByteAt = 0;
  /** Lent state: the borrower's side of the modem line. */
  #lent: Duplex | undefined;

  constructor(options: CentreReceiverOptions) {
    this.#clock = options.clock;
    this.#line = options.line;
    this.#store = options.store;
    this.name = options.name ?? options.line.description;
    this.#log = (options.logger ?? silentLogger).child({ component: 'centre-receiver', modem: this.name });
    this.#machine = new StateMachine(`centre receiver ${this.name}`, RECEIVER_MOVES, ReceiverState.Init);
    this.#line.onData((bytes) => this.#onBytes(bytes));
    this.#line.onClose(() => this.#closed());
  }

  get state(): ReceiverState {
    return this.#machine.state;
  }

  get received(): number {
    return this.#received;
  }

  onEvent(listener: (e: ReceiverEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Put the modem into receive mode (ATZ, then auto-answer). */
  start(): void {
    this.#machine.transition(ReceiverState.Init);
    this.#initStep = 0;
    this.#command(INIT_COMMANDS[0]);
  }

  /**
   * Lend the idle modem to a program that dials out — the centre's test
   * call to a PBX without the LAN option (docs/portal.md) — as a byte
   * stream on its DTE line. While it is lent the receiver reads nothing;
   * closing the stream gives the modem back and the receiver sets it up
   * for receive mode again (Init), so the PBX's report can come in.
   * Undefined while a call is in progress or the modem is not ready yet:
   * the modem is busy (spec §3.4: no session while it receives).
   */
  lend(): Duplex | undefined {
    if (!this.#machine.is(ReceiverState.Idle)) return undefined;
    this.#cancelTimer();
    this.#machine.transition(ReceiverState.Lent);
    const line = this.#line;
    const stream = pushStream((chunk) => line.write(chunk));
    this.#lent = stream;
    this.#log.info('modem lent for a call out');
    stream.on('close', () => {
      if (this.#lent !== stream) return;
      this.#lent = undefined;
      if (!this.#machine.is(ReceiverState.Lent)) return;
      this.#log.info('modem given back: receive mode again');
      this.start();
    });
    return stream;
  }

  /** Stop receiving; the line is closed (the modem sees its terminal go away). */
  close(): void {
    this.#lent?.destroy();
    this.#cancelTimer();
    if (!this.#machine.is(ReceiverState.Closed)) this.#machine.transition(ReceiverState.Closed);
    this.#line.close();
  }

  #command(text: string): void {
    // Armed before writing: an in-process modem answers inside write().
    // A modem that missed the line (it was still online, or noise) gets it again.
    this.#arm(COMMAND_TIMEOUT_MS, () => this.#command(text));
    this.#line.write(`${text}\r`);
  }

  #onBytes(bytes: Uint8Array): void {
    if (this.#lent) {
      this.#lent.push(Buffer.from(bytes));
      return;
    }
    if (this.#machine.is(ReceiverState.Frame)) this.#lastByteAt = this.#clock.now();
    for (const event of this.#decoder.push(bytes)) {
      if (event.kind === 'line') this.#onLine(event.text.trim());
      else if (event.kind === 'frame') this.#onFrame(event.payload);
      else if (event.kind === 'bad-frame') this.#onBadFrame();
    }
  }

  #onLine(text: string): void {
    if (text === '') return;
    if (text === 'NO CARRIER' && this.#inCall()) return this.#callEnded('pbx');
    switch (this.#machine.state) {
      case ReceiverState.Init:
        if (text !== 'OK') return;
        if (++this.#initStep < INIT_COMMANDS.length) return this.#command(INIT_COMMANDS[this.#initStep]);
        this.#cancelTimer();
        this.#machine.transition(ReceiverState.Idle);
        this.#log.info('receive mode: waiting for calls');
        return this.#emit({ type: 'ready' });
      case ReceiverState.Idle:
        if (text.startsWith('CONNECT')) return this.#connected(text);
        if (text === 'RING') return this.#answering();
        return;
      case ReceiverState.Answering:
        if (text.startsWith('CONNECT')) return this.#connected(text);
        if (text === 'NO CARRIER' || text === 'NO ANSWER' || text === 'ERROR') return this.#answerFailed(text);
        return;
      case ReceiverState.Hello:
        return this.#onHello(text);
      case ReceiverState.Escape:
      case ReceiverState.Ath:
        if (text === 'OK' || text === 'ERROR') this.#hangUpStep();
        return;
      default:
        return;
    }
  }

  #inCall(): boolean {
    return this.#machine.isOneOf(IN_CALL);
  }

  #answering(): void {
    this.#log.debug('RING: answering');
    this.#machine.transition(ReceiverState.Answering);
    this.#arm(ANSWER_TIMEOUT_MS, () => this.#answerFailed('no outcome'));
  }

  /** The answer came to nothing (the caller gave up, no carrier): waiting for calls again, nothing to hang up. */
  #answerFailed(why: string): void {
    this.#cancelTimer();
    this.#log.info({ why }, 'answer failed: waiting for calls');
    this.#machine.transition(ReceiverState.Idle);
  }

  #connected(text: string): void {
    this.#cancelTimer();
    this.#calls++;
    this.#machine.transition(ReceiverState.Hello);
    this.#systemId = '';
    this.#frames = 0;
    this.#decoder.reset();
    this.#log.info({ connect: text }, 'call connected');
    this.#emit({ type: 'connect', text });
    this.#arm(HELLO_TIMEOUT_MS, () => this.#hangUp());
  }

  #onHello(text: string): void {
    const msg = parseExchangeLine(text);
    if (msg.type !== 'hello') {
      // Anything else but a well-formed HELLO that starts like one is a malformed HELLO.
      if (text.startsWith('HELLO')) this.#final(NakReason.SystemId);
      return;
    }
    if (msg.protocol !== PROTOCOL_TAG) return this.#final(NakReason.Version, msg.systemId);
    this.#systemId = msg.systemId;
    this.#machine.transition(ReceiverState.Frame);
    this.#armFrameIdle();
    this.#line.write(READY_LINE);
  }

  #onFrame(payload: Buffer): void {
    if (!this.#machine.is(ReceiverState.Frame)) return;
    this.#frames++;
    let report: ErrorReport;
    try {
      report = decodeReport(payload);
    } catch (err) {
      return this.#notStored(this.#systemId, err);
    }
    const systemId = report.systemId;
    if (systemId !== this.#systemId) return this.#final(NakReason.SystemId, this.#systemId);
    let outcome: AppendResult | Promise<AppendResult>;
    try {
      outcome = this.#store.appendReport(payload, this.#clock.now(), report);
    } catch (err) {
      return this.#notStored(systemId, err);
    }
    if (!(outcome instanceof Promise)) return this.#acknowledge(outcome);
    // Nothing more is read from the PBX until the commit (it waits for ACK or NAK).
    this.#cancelTimer();
    this.#machine.transition(ReceiverState.Storing);
    const call = this.#calls;
    outcome.then(
      (r) => {
        if (this.#machine.is(ReceiverState.Storing) && this.#calls === call) this.#acknowledge(r);
      },
      (err: unknown) => {
        if (this.#machine.is(ReceiverState.Storing) && this.#calls === call) this.#notStored(systemId, err);
      },
    );
  }

  /** Committed: only now may the PBX delete what it sent. (A call that ended meanwhile gets no ACK; the PBX sends again and the duplicate is re-acknowledged.) */
  #acknowledge({ stored, report }: AppendResult): void {
    this.#received++;
    this.#emit({ type: 'stored', systemId: report.systemId, seq: report.seq, records: report.records.length, duplicate: !stored });
    this.#toFinal();
    this.#line.write(ackLine(report.seq));
  }

  /** Invalid report: NAK FORMAT; anything else (disk full, database gone): NAK STORE, the PBX keeps its errors. */
  #notStored(systemId: string, err: unknown): void {
    if (err instanceof ReportDecodeError) {
      this.#log.warn({ systemId, err: err.message }, 'invalid report');
      return this.#final(NakReason.Format, systemId);
    }
    this.#log.error({ systemId, err: (err as Error).message }, 'report not stored');
    this.#final(NakReason.Store, systemId);
  }

  #onBadFrame(): void {
    if (!this.#machine.is(ReceiverState.Frame)) return;
    this.#frames++;
    this.#nakResend(NakReason.Crc);
  }

  #armFrameIdle(): void {
    this.#lastByteAt = this.#clock.now();
    this.#arm(FRAME_IDLE_TIMEOUT_MS, () => this.#frameIdleCheck());
  }

  #frameIdleCheck(): void {
    const quiet = this.#clock.now() - this.#lastByteAt;
    if (quiet < FRAME_IDLE_TIMEOUT_MS) this.#arm(FRAME_IDLE_TIMEOUT_MS - quiet, () => this.#frameIdleCheck());
    else this.#frameTimeout();
  }

  #frameTimeout(): void {
    this.#frames++;
    this.#decoder.reset();
    this.#nakResend(NakReason.Timeout);
  }

  /** NAK that lets the PBX re-send; after the last allowed frame the call ends. */
  #nakResend(reason: NakReason): void {
    this.#emit({ type: 'nak', reason, systemId: this.#systemId });
    if (this.#frames >= MAX_FRAME_TRIES) this.#toFinal();
    else this.#armFrameIdle();
    this.#line.write(nakLine(reason));
  }

  #final(reason: NakReason, systemId?: string): void {
    this.#emit({ type: 'nak', reason, systemId });
    this.#toFinal();
    this.#line.write(nakLine(reason));
  }

  /** After the last word the PBX hangs up; if it does not, the centre does. */
  #toFinal(): void {
    this.#machine.transition(ReceiverState.Final);
    this.#arm(LINGER_AFTER_FINAL_MS, () => this.#hangUp());
  }

  #hangUp(): void {
    this.#machine.transition(ReceiverState.HangUp);
    // Silence before "+++" (guard time), then the escape, then ATH once the modem answers OK.
    this.#arm(ESCAPE_GUARD_MS + GUARD_MARGIN_MS, () => {
      this.#machine.transition(ReceiverState.Escape);
      this.#arm(ESCAPE_GUARD_MS + COMMAND_TIMEOUT_MS, () => this.#hangUpStep());
      this.#line.write('+++');
    });
  }

  #hangUpStep(): void {
    if (this.#machine.is(ReceiverState.Escape)) {
      // OK after +++ (or no answer: the modem may already be in command state).
      this.#machine.transition(ReceiverState.Ath);
      this.#command('\rATH');
      return;
    }
    if (this.#machine.is(ReceiverState.Ath)) this.#callEnded('centre');
  }

  #callEnded(by: 'pbx' | 'centre'): void {
    this.#cancelTimer();
    this.#decoder.reset();
    this.#machine.transition(ReceiverState.Idle);
    this.#log.info({ by, systemId: this.#systemId || undefined }, 'call ended');
    this.#emit({ type: 'call-ended', by });
  }

  #closed(): void {
    if (this.#machine.is(ReceiverState.Closed)) return;
    this.#cancelTimer();
    this.#machine.transition(ReceiverState.Closed);
    this.#lent?.destroy();
    this.#log.warn('modem line closed');
  }

  #arm(ms: number, fn: () => void): void {
    this.#cancelTimer();
    this.#timer = this.#clock.setTimer(ms, () => {
      this.#timer = undefined;
      fn();
    });
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #emit(e: ReceiverEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
