import type { Clock } from '../core/clock.js';
import type { DteLines, LineEndpoint } from '../core/line-endpoint.js';
import type { CallTerminal, ExchangeLine, IncomingCall, LinkInfo, OfferReply } from '../core/call.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { AnalogPump } from './analog-pump.js';
import { BridgePump } from './bridge-pump.js';
import { Answering } from './answering.js';
import { AtLineReader } from './at-line-reader.js';
import { parseCommandLine, type AtCommand } from './at-parser.js';
import { CallAttempt } from './call-attempt.js';
import type { CommandContext, CommandDef, CommandOutcome, ModemIdentity, ModemProfileKind } from './command-context.js';
import { FAILURE_RESULTS, placeDataCall } from './data-call.js';
import type { DataPump } from './data-pump.js';
import { DIAL_TONE_DETECT_MS, parseDialString } from './dial-string.js';
import { DTR_DETECT_UNIT_MS, DtrWatch } from './dtr-watch.js';
import { EscapeGuard, GUARD_TIME_UNIT_MS } from './escape-guard.js';
import { HAYES_COMMANDS } from './hayes-commands.js';
import { MODULATION_ORDER, type ModemCapabilities } from './negotiation.js';
import { factorySettings, MemoryProfileStore, type ModemSettings, type ProfileStore } from './profile-store.js';
import { formatInfo, formatResult, ResultCode, type ResultFormat } from './result-codes.js';
import { S, SRegisters } from './s-registers.js';
import { VOICE_FCLASS } from './service-class.js';
import { VoiceCall } from './voice-call.js';
import { voiceCommands } from './voice-mode.js';
import { X75Pump } from './x75-pump.js';

/**
 * Modem states.
 *
 * ```
 *            ATD                carrier up
 *  Command ──────▶ Dialing ───────────────────▶ Online ◀──┐
 *   ▲  │            │ busy / no answer /          │  │     │ ATO
 *   │  │            │ no carrier / key / DTR;     │  │+++, │
 *   │  │            │ voice call placed or VCON   │  │&D1  │
 *   │  │ ATA, S0    ▼                             │  │     │
 *   │  └──────▶ Answering ──carrier up────────────┘  ▼     │
 *   │               │ caller gone / key / DTR        OnlineCommand
 *   └───────────────┴─── ATH, remote hang-up, &D2/&D3 DTR drop ──┘
 * ```
 */
export enum ModemState {
  Command = 'command',
  Dialing = 'dialing',
  Answering = 'answering',
  Online = 'online',
  OnlineCommand = 'online-command',
}

/** The moves of the diagram above; any other is a bug and throws. */
const MODEM_MOVES: TransitionTable<ModemState> = {
  [ModemState.Command]: [ModemState.Dialing, ModemState.Answering],
  [ModemState.Dialing]: [ModemState.Online, ModemState.Command],
  [ModemState.Answering]: [ModemState.Online, ModemState.Command],
  [ModemState.Online]: [ModemState.OnlineCommand, ModemState.Command],
  [ModemState.OnlineCommand]: [ModemState.Online, ModemState.Command],
};

export interface HayesModemOptions {
  clock: Clock;
  /** The terminal side: serial port, pty, TCP connection or in-process pair. */
  dte: LineEndpoint;
  /** 'analog' (default) or 'isdn-ta': the latter accepts AT+BX75 once an 'x75' pump is registered. */
  profile?: ModemProfileKind;
  store?: ProfileStore;
  identity?: Partial<ModemIdentity>;
}

/** Without dial tone, dialing gives up with NO DIALTONE after this long (Hayes X2/X4). */
export const DIAL_TONE_WAIT_MS = 5000;
/** S6, S7 and S8 count in seconds (V.250 §6.3). */
const SECOND_MS = 1000;
/** The bytes after the command line's S3 that do not abort a dial (V.250 §6.3.1). */
const LF = 0x0a;

/**
 * A Hayes/V.250 modem: the DTE side is a LineEndpoint, the line side an
 * exchange line. This class holds the state and routes the DTE's bytes;
 * the jobs are in their own modules: the command table
 * (modem/hayes-commands.ts, modem/voice-mode.ts) behind a narrow
 * CommandContext, dial strings (dial-string.ts), the +++ guard
 * (escape-guard.ts), DTR (dtr-watch.ts), outgoing data and voice calls
 * (data-call.ts, voice-call.ts) and incoming calls (answering.ts).
 */
export class HayesModem implements CallTerminal {
  readonly clock: Clock;
  readonly dte: LineEndpoint;
  readonly profile: ModemProfileKind;
  readonly identity: Readonly<ModemIdentity>;
  readonly sRegisters = new SRegisters();
  settings: ModemSettings = factorySettings();
  readonly #machine = new StateMachine('modem', MODEM_MOVES, ModemState.Command);
  readonly #store: ProfileStore;
  readonly #commands = new Map<string, CommandDef>();
  readonly #pumps = new Map<string, DataPump>();
  readonly #reader: AtLineReader;
  readonly #escape: EscapeGuard;
  readonly #dtr: DtrWatch;
  readonly #answering: Answering;
  readonly #context: CommandContext;
  #line: ExchangeLine | undefined;
  #lastLine = '';
  #offHook = false;
  /** The dial or answer attempt: set exactly while Dialing or Answering. */
  #attempt: CallAttempt | undefined;
  /** A voice call placed with "ATD…;" (still up while in command state). */
  #voice: VoiceCall | undefined;
  /** The connected call's byte stream (Online, OnlineCommand). */
  #data: LineEndpoint | undefined;
  #link: LinkInfo | undefined;
  #hangingUp = false;
  #dteTap: ((bytes: Uint8Array) => void) | undefined;

  constructor(options: HayesModemOptions) {
    this.clock = options.clock;
    this.dte = options.dte;
    this.profile = options.profile ?? 'analog';
    this.#store = options.store ?? new MemoryProfileStore();
    this.identity = {
      manufacturer: options.identity?.manufacturer ?? 'hicom-sim',
      model: options.identity?.model ?? (this.profile === 'isdn-ta' ? 'ISDN TA' : 'V.32bis modem'),
      revision: options.identity?.revision ?? '1.0',
    };
    for (const def of [...HAYES_COMMANDS, ...voiceCommands()]) this.registerCommand(def);
    this.registerPump(new AnalogPump(() => this.capabilities()));
    // Internet addresses are dialled, and TCP callers answered, through the bridge pump (docs/bridge.md).
    this.registerPump(new BridgePump());
    // An ISDN terminal adapter also speaks X.75 on the B channel (AT+BX75 selects it for dialing; digital calls are answered with it).
    if (this.profile === 'isdn-ta') this.registerPump(new X75Pump({ clock: this.clock }));
    this.#reader = new AtLineReader({
      cr: () => this.sRegisters.get(S.cr),
      backspace: () => this.sRegisters.get(S.backspace),
      echo: () => this.settings.echo,
      write: (t) => this.dte.write(t),
      onLine: (body, tooLong) => this.#runLine(body, tooLong),
      onRepeat: () => this.#runLine(this.#lastLine, false),
    });
    this.#escape = new EscapeGuard({
      clock: this.clock,
      escapeChar: () => this.sRegisters.get(S.escapeChar),
      guardMs: () => this.sRegisters.get(S.guardTime) * GUARD_TIME_UNIT_MS,
      onEscape: () => this.#toOnlineCommand(),
    });
    this.#dtr = new DtrWatch({
      clock: this.clock,
      detectMs: () => this.sRegisters.get(S.dtrDetect) * DTR_DETECT_UNIT_MS,
      onDrop: () => this.#dtrDropped(),
    });
    this.#answering = new Answering({
      sRegisters: this.sRegisters,
      setLines: (lines) => this.dte.setLines(lines),
      inCommandState: () => this.#machine.state === ModemState.Command,
      autoAnswerBlocked: () => !this.#dtr.on && this.settings.dtrMode === 2,
      ringing: () => this.#result(ResultCode.Ring),
      autoAnswer: () => { this.#answer(); },
      callerGone: () => {
        if (this.#machine.state === ModemState.Answering) this.#endAttempt(ResultCode.NoCarrier);
      },
    });
    this.#context = this.#commandContext();
    const stored = this.#store.load(0);
    if (stored) this.#loadProfile(stored.settings, stored.sRegisters);
    this.dte.onData((bytes) => this.#fromDte(bytes));
    this.dte.onControl((lines: DteLines) => this.#dtr.update(lines.dtr));
    this.#updateLines();
  }

  get state(): ModemState {
    return this.#machine.state;
  }

  /** The connected link (rate, CONNECT text) while a call is up. */
  get link(): LinkInfo | undefined {
    return this.#link;
  }

  /** Connect the modem to its exchange line (the exchange returns it from addSubscriber/addPort). */
  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  /** Add or replace an AT command (vendor commands and test doubles plug in here). */
  registerCommand(def: CommandDef): void {
    this.#commands.set(def.name, def);
  }

  /** Add a data pump; `AT+BX75` selects one named 'x75' in the 'isdn-ta' profile. */
  registerPump(pump: DataPump): void {
    this.#pumps.set(pump.name, pump);
  }

  /** Capabilities for negotiation, as +MS, +ES and +DS set them. */
  capabilities(): ModemCapabilities {
    const { ms, es, ds } = this.settings;
    const top = MODULATION_ORDER.indexOf(ms.carrier);
    return {
      modulations: ms.automode ? MODULATION_ORDER.slice(0, top + 1) : [ms.carrier],
      minRateBps: ms.minRate,
      maxRateBps: ms.maxRate,
      // +ES orig_rqst: 2 = V.42 (LAPM) only, 3 = V.42 with detection (LAPM or MNP), 4 = alternative (MNP).
      lapm: es[0] === 2 || es[0] === 3,
      mnp: es[0] === 3 || es[0] === 4,
      // orig_fbk 2–4 / ans_fbk 4–6: error control required.
      errorControlRequired: es[1] >= 2 || es[2] >= 4,
      compression: ds[0] !== 0,
    };
  }

  /** CallTerminal: a call rings here only when the modem is on hook in command state with no call of its own. */
  offerCall(call: IncomingCall): OfferReply {
    if (this.#offHook || this.#machine.state !== ModemState.Command || this.#voice?.up) return 'busy';
    return this.#answering.offer(call);
  }

  // ---- DTE input ----------------------------------------------------------

  #fromDte(bytes: Uint8Array): void {
    if (this.#dteTap) return this.#dteTap(bytes);
    // Online, a whole chunk is data: watch it for +++, pass it on in one write.
    // (The escape is confirmed on a timer, so the state cannot change inside the chunk.)
    if (this.#machine.state === ModemState.Online) return this.#online(bytes);
    for (let i = 0; i < bytes.length; i++) {
      // A command in this chunk (ATO, ATD, +VTX) may change where the next byte goes.
      switch (this.#machine.state as ModemState) {
        case ModemState.Command:
        case ModemState.OnlineCommand:
          this.#reader.feed(bytes.subarray(i, i + 1));
          if (this.#streamed(bytes.subarray(i + 1))) return;
          break;
        case ModemState.Dialing:
        case ModemState.Answering:
          // V.250 §6.3.1: a character from the DTE aborts the attempt; LF/CR trailing the command line do not.
          if (bytes[i] !== LF && bytes[i] !== this.sRegisters.get(S.cr)) this.#abortAttempt();
          break;
        case ModemState.Online:
          // An earlier byte of this chunk (ATO) put the modem online: the rest is data.
          return this.#online(bytes.subarray(i));
      }
    }
  }

  /** A command of this chunk (+VTX, +VRX) started a voice stream: the rest of the chunk is the stream's. */
  #streamed(rest: Uint8Array): boolean {
    const tap = this.#dteTap;
    if (!tap) return false;
    if (rest.length) tap(rest);
    return true;
  }

  #online(bytes: Uint8Array): void {
    this.#escape.watch(bytes);
    this.#data?.write(bytes);
  }

  #toOnlineCommand(): void {
    if (this.#machine.state !== ModemState.Online) return;
    this.#transition(ModemState.OnlineCommand);
    this.#result(ResultCode.Ok);
  }

  /** V.250 §6.2.9 &D0–&D2, Hayes &D3. */
  #dtrDropped(): void {
    switch (this.settings.dtrMode) {
      case 1:
        this.#toOnlineCommand();
        return;
      case 2:
        if (this.#inCall()) this.#hangUp(ResultCode.NoCarrier);
        return;
      case 3:
        this.#hangUp(this.#inCall() ? ResultCode.NoCarrier : undefined);
        this.#resetToProfile(0);
        return;
      default:
        return;
    }
  }

  #inCall(): boolean {
    return this.#machine.state !== ModemState.Command || this.#voice?.up === true;
  }

  // ---- command lines ------------------------------------------------------

  #runLine(body: string, tooLong: boolean): void {
    if (tooLong) return this.#result(ResultCode.Error);
    this.#lastLine = body;
    const parsed = parseCommandLine(body);
    // V.250 §5.6: commands run in order; the first one in error, or a character
    // that is no valid command, ends the line with ERROR and the rest is ignored.
    // Those before it have run. A command that reports later (D, A, O) ignores the rest.
    for (const cmd of parsed.commands) {
      const outcome = this.#execute(cmd);
      if (outcome === 'error') return this.#result(ResultCode.Error);
      if (outcome === 'pending') return;
    }
    this.#result(parsed.ok ? ResultCode.Ok : ResultCode.Error);
  }

  #execute(cmd: AtCommand): CommandOutcome {
    const key = cmd.kind === 'dial' ? 'D' : cmd.kind === 'sreg' ? 'S' : cmd.name;
    const def = this.#commands.get(key);
    return def ? def.handler(this.#context, cmd) : 'error';
  }

  #result(code: ResultCode, connectText?: string): void {
    const text = formatResult(code, this.#format(), connectText);
    if (text) this.dte.write(text);
  }

  /** A result code outside V.250's table (V.253 VCON), framed like one; silent under ATQ1. */
  #writeResult(text: string): void {
    if (!this.settings.quiet) this.dte.write(formatInfo(text, this.#format()));
  }

  #format(): ResultFormat {
    return {
      verbose: this.settings.verbose, quiet: this.settings.quiet, xLevel: this.settings.xLevel,
      cr: this.sRegisters.get(S.cr), lf: this.sRegisters.get(S.lf),
    };
  }

  // ---- state --------------------------------------------------------------

  /** The one place the state changes: the move is checked against MODEM_MOVES, then DCD follows. */
  #transition(to: ModemState): void {
    this.#machine.transition(to);
    this.#updateLines();
  }

  #updateLines(): void {
    const carrier = this.#machine.state === ModemState.Online || this.#machine.state === ModemState.OnlineCommand;
    this.dte.setLines({ dcd: this.settings.dcdMode === 0 || carrier, dsr: true, cts: true });
  }

  #loadProfile(settings: ModemSettings, sRegisters: readonly number[]): void {
    this.settings = { ...factorySettings(), ...settings };
    this.sRegisters.restore(sRegisters);
  }

  #resetToProfile(slot: number): void {
    const stored = this.#store.load(slot);
    if (stored) this.#loadProfile(stored.settings, stored.sRegisters);
    else this.#loadProfile(factorySettings(), new SRegisters().snapshot());
    this.#offHook = false;
    this.#reader.reset();
    this.#updateLines();
  }

  // ---- calls --------------------------------------------------------------

  #startAttempt(state: ModemState.Dialing | ModemState.Answering): CallAttempt {
    this.#transition(state);
    this.#attempt = new CallAttempt(this.clock);
    return this.#attempt;
  }

  /** The attempt is over, connected or not: its timers stop and an unconnected call is cancelled. */
  #closeAttempt(): void {
    this.#attempt?.end();
    this.#attempt = undefined;
  }

  /** The attempt ended without carrier: back to command state with `code`. */
  #endAttempt(code: ResultCode): void {
    this.#closeAttempt();
    this.#transition(ModemState.Command);
    this.#result(code);
  }

  #abortAttempt(): void {
    // Going on hook while answering releases the caller.
    if (this.#machine.state === ModemState.Answering) this.#answering.drop();
    this.#endAttempt(ResultCode.NoCarrier);
  }

  #connectTimeoutMs(): number {
    return this.sRegisters.get(S.connectTimeout) * SECOND_MS;
  }

  #dial(dialString: string): CommandOutcome {
    if (this.#machine.state !== ModemState.Command || this.#voice?.up) return 'error';
    const plan = parseDialString(dialString, {
      dialMode: this.settings.dialMode,
      dtmfMs: this.sRegisters.get(S.dtmfDuration),
      commaPauseMs: this.sRegisters.get(S.commaPause) * SECOND_MS,
    });
    const pump = this.#pumps.get(plan.address === undefined ? this.settings.pump : 'bridge');
    if (!pump) return 'error';
    // In voice mode (+FCLASS=8, V.253) every dial of a number places a voice call; an address is always data.
    const voice = plan.address === undefined && (plan.voice || this.settings.fclass === VOICE_FCLASS);
    const attempt = this.#startAttempt(ModemState.Dialing);
    const line = this.#line;
    // X2/X4 wait for dial tone; X0/X1/X3 dial blind after S6 (V.250 §6.3, Hayes X).
    const detects = this.settings.xLevel === 2 || this.settings.xLevel === 4;
    if (!line || (detects && !line.hasDialTone())) {
      attempt.after(DIAL_TONE_WAIT_MS, () => this.#endAttempt(ResultCode.NoDialtone));
      return 'pending';
    }
    const wait = (detects ? DIAL_TONE_DETECT_MS : this.sRegisters.get(S.blindDialPause) * SECOND_MS) + plan.dialMs;
    attempt.after(wait, () => {
      if (voice) this.#placeVoiceCall(attempt, line, plan.digits);
      else this.#placeDataCall(attempt, line, pump, plan.digits);
    });
    return 'pending';
  }

  #placeDataCall(attempt: CallAttempt, line: ExchangeLine, pump: DataPump, digits: string): void {
    placeDataCall(attempt, line, pump, digits, this.#connectTimeoutMs(), {
      connected: (data, link) => this.#connected(attempt, data, link),
      failed: (code) => this.#endAttempt(code),
    });
  }

  /**
   * "ATD…;" in data mode: back to command state at once with the call placed.
   * In voice mode the result waits for the answer: VCON (V.253), or BUSY /
   * NO ANSWER (S7) / NO CARRIER.
   */
  #placeVoiceCall(attempt: CallAttempt, line: ExchangeLine, digits: string): void {
    const waitForAnswer = this.settings.fclass === VOICE_FCLASS;
    this.#voice = new VoiceCall(line, digits, {
      answered: () => {
        if (!waitForAnswer || attempt.ended) return;
        attempt.letGo();
        this.#closeAttempt();
        this.#transition(ModemState.Command);
        this.#writeResult('VCON');
      },
      failed: (reason) => {
        if (waitForAnswer && !attempt.ended) this.#endAttempt(FAILURE_RESULTS[reason]);
      },
    });
    if (!waitForAnswer) {
      this.#closeAttempt();
      this.#transition(ModemState.Command);
      this.#result(ResultCode.Ok);
      return;
    }
    attempt.hold(this.#voice);
    attempt.after(this.#connectTimeoutMs(), () => this.#endAttempt(ResultCode.NoAnswer));
  }

  #answer(): CommandOutcome {
    if (this.#machine.state !== ModemState.Command) return 'error';
    const attempt = this.#startAttempt(ModemState.Answering);
    const answering = this.#answering.answer(this.#pumps.values(), (data, link) => this.#connected(attempt, data, link));
    // ATA without a call: answer tone into an idle line until S7 (Hayes).
    if (!answering) attempt.after(this.#connectTimeoutMs(), () => this.#endAttempt(ResultCode.NoCarrier));
    return 'pending';
  }

  #connected(attempt: CallAttempt, data: LineEndpoint, link: LinkInfo): void {
    // An attempt given up meanwhile (key, DTR, ATH) does not come back to life: hang that call up.
    if (attempt !== this.#attempt) {
      data.close();
      return;
    }
    this.#closeAttempt();
    this.#data = data;
    this.#link = link;
    this.#escape.restart();
    data.onData((bytes) => {
      if (this.#data === data && this.#machine.state === ModemState.Online) this.dte.write(bytes);
    });
    data.onClose(() => this.#carrierLost(data));
    this.#transition(ModemState.Online);
    this.#result(ResultCode.Connect, link.connectText);
  }

  #carrierLost(data: LineEndpoint): void {
    if (this.#data !== data) return;
    this.#data = undefined;
    this.#link = undefined;
    this.#escape.cancel();
    this.#transition(ModemState.Command);
    if (!this.#hangingUp) this.#result(ResultCode.NoCarrier);
  }

  /** Go on hook from any state; `code` is reported if given. */
  #hangUp(code?: ResultCode): void {
    this.#hangingUp = true;
    if (this.#machine.state === ModemState.Answering) this.#answering.drop();
    this.#closeAttempt();
    this.#voice?.cancel();
    this.#voice = undefined;
    this.#dteTap = undefined;
    this.#data?.close();
    this.#data = undefined;
    this.#link = undefined;
    this.#escape.cancel();
    this.#hangingUp = false;
    this.#offHook = false;
    if (this.#machine.state !== ModemState.Command) this.#transition(ModemState.Command);
    else this.#updateLines();
    if (code !== undefined) this.#result(code);
  }

  /** What the command table sees of the modem (modem/command-context.ts). */
  #commandContext(): CommandContext {
    const modem = this;
    return {
      get settings() { return modem.settings; },
      sRegisters: this.sRegisters,
      profile: this.profile,
      identity: this.identity,
      get link() { return modem.#link; },
      store: this.#store,
      get voicePath() { return modem.#voice?.path; },
      info: (text) => this.dte.write(formatInfo(text, this.#format())),
      dial: (s) => this.#dial(s),
      answer: () => this.#answer(),
      hangUp: () => { this.#hangUp(); },
      offHook: () => {
        if (this.#inCall()) return false;
        this.#offHook = true;
        return true;
      },
      goOnline: () => {
        if (this.#machine.state !== ModemState.OnlineCommand || !this.#link) return 'error';
        this.#escape.restart();
        this.#transition(ModemState.Online);
        this.#result(ResultCode.Connect, this.#link.connectText);
        return 'pending';
      },
      reset: (slot) => {
        this.#hangUp();
        this.#resetToProfile(slot);
      },
      factory: () => {
        this.settings = factorySettings();
        this.sRegisters.reset();
        this.#updateLines();
      },
      hasPump: (name) => this.#pumps.has(name),
      linesChanged: () => this.#updateLines(),
      after: (ms, fn) => { this.clock.setTimer(ms, fn); },
      finalResult: (ok) => this.#result(ok ? ResultCode.Ok : ResultCode.Error),
      writeResult: (text) => this.#writeResult(text),
      writeDte: (bytes) => this.dte.write(bytes),
      tapDte: (handler) => { this.#dteTap = handler; },
    };
  }
}
