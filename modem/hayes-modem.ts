import type { Clock, TimerHandle } from '../core/clock.js';
import type { DteLines, LineEndpoint } from '../core/line-endpoint.js';
import type { CallFailure, CallTerminal, ExchangeLine, IncomingCall, LinkInfo, OfferReply, OutgoingCall } from '../core/call.js';
import { AnalogPump } from './analog-pump.js';
import { AtLineReader } from './at-line-reader.js';
import { parseCommandLine, type AtCommand } from './at-parser.js';
import type { DataPump } from './data-pump.js';
import { HAYES_COMMANDS, type CommandDef, type CommandOutcome, type ModemContext } from './hayes-commands.js';
import { MODULATION_ORDER, type ModemCapabilities } from './negotiation.js';
import { factorySettings, MemoryProfileStore, type ModemSettings, type ProfileStore } from './profile-store.js';
import { formatInfo, formatResult, ResultCode, type ResultFormat } from './result-codes.js';
import { S, SRegisters } from './s-registers.js';
import { installVoiceMode } from './voice-mode.js';
import { X75Pump } from './x75-pump.js';

/**
 * Modem states.
 *
 * ```
 *            ATD                carrier up
 *  Command ──────▶ Dialing ───────────────────▶ Online ◀──┐
 *   ▲  │            │ busy / no answer /          │  │     │ ATO
 *   │  │            │ no carrier / key / DTR      │  │+++, │
 *   │  │ ATA, S0    ▼                             │  │&D1  │
 *   │  └──────▶ Answering ──carrier up────────────┘  ▼     │
 *   │               │ caller gone / handshake fails  OnlineCommand
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

export type ModemProfileKind = 'analog' | 'isdn-ta';

export interface HayesModemOptions {
  clock: Clock;
  /** The terminal side: serial port, pty, TCP connection or in-process pair. */
  dte: LineEndpoint;
  /** 'analog' (default) or 'isdn-ta': the latter accepts AT+BX75 once an 'x75' pump is registered. */
  profile?: ModemProfileKind;
  store?: ProfileStore;
  identity?: { manufacturer?: string; model?: string; revision?: string };
}

/** Dial tone detection (X2/X4) takes this long when the tone is there … */
export const DIAL_TONE_DETECT_MS = 300;
/** … and gives up with NO DIALTONE after this long when it is not. */
export const DIAL_TONE_WAIT_MS = 5000;
/** +FCLASS value of voice mode (ITU-T V.253 §9.1). */
export const VOICE_FCLASS = 8;
/** DTMF inter-digit gap equals the tone duration (S11), as Hayes modems do. */
const PULSE_MS = 100;
/** Pulse dialing: 10 pulses/s (make/break) plus an inter-digit pause. */
const PULSE_INTERDIGIT_MS = 700;
/** '!' flash hook duration. */
const FLASH_MS = 500;

/**
 * A Hayes/V.250 modem: the DTE side is a LineEndpoint, the line side an
 * exchange line. AT commands come from a `{ name, handler }` table
 * (modem/hayes-commands.ts) that other parts extend with `registerCommand`.
 */
export class HayesModem implements CallTerminal {
  readonly clock: Clock;
  readonly dte: LineEndpoint;
  readonly profile: ModemProfileKind;
  readonly identity: Required<NonNullable<HayesModemOptions['identity']>>;
  readonly sRegisters = new SRegisters();
  settings: ModemSettings = factorySettings();
  #state = ModemState.Command;
  readonly #store: ProfileStore;
  readonly #commands = new Map<string, CommandDef>();
  readonly #pumps = new Map<string, DataPump>();
  readonly #reader: AtLineReader;
  #line: ExchangeLine | undefined;
  #lastLine = '';
  #offHook = false;
  /** Timers of the current dial/answer attempt; all cancelled when it ends. */
  #attemptTimers: TimerHandle[] = [];
  #outgoing: OutgoingCall | undefined;
  #incoming: IncomingCall | undefined;
  #ringback = false;
  #data: LineEndpoint | undefined;
  #link: LinkInfo | undefined;
  #hangingUp = false;
  /** Voice call placed with "ATD…;" (still up while in command state). */
  #voiceCall: OutgoingCall | undefined;
  #voicePath: LineEndpoint | undefined;
  #dteTap: ((bytes: Uint8Array) => void) | undefined;
  #dtr = true;
  #dtrTimer: TimerHandle | undefined;
  // +++ escape detection (guard time S12).
  #lastDteAt = 0;
  #plusCount = 0;
  #escapeTimer: TimerHandle | undefined;

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
    for (const def of HAYES_COMMANDS) this.registerCommand(def);
    installVoiceMode(this);
    this.registerPump(new AnalogPump(() => this.capabilities()));
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
    const stored = this.#store.load(0);
    if (stored) this.#loadProfile(stored.settings, stored.sRegisters);
    this.dte.onData((bytes) => this.#fromDte(bytes));
    this.dte.onControl((lines) => this.#onControl(lines));
    this.#updateLines();
  }

  get state(): ModemState {
    return this.#state;
  }

  /** The connected link (rate, CONNECT text) while a call is up. */
  get link(): LinkInfo | undefined {
    return this.#link;
  }

  /** The audio path of a connected voice call (bearer 'voice'), for voice mode. */
  get voicePath(): LineEndpoint | undefined {
    return this.#voicePath;
  }

  /**
   * Voice mode streams (+VTX/+VRX): while a tap is set, every byte from the
   * DTE goes to it instead of the command line reader; `undefined` ends it.
   */
  tapDte(handler: ((bytes: Uint8Array) => void) | undefined): void {
    this.#dteTap = handler;
  }

  /** Report a command's final result later (for commands that returned 'pending'). */
  finalResult(ok: boolean): void {
    this.#result(ok ? ResultCode.Ok : ResultCode.Error);
  }

  /** A result code outside V.250's table (V.253 VCON), framed like one; silent under ATQ1. */
  writeResult(text: string): void {
    if (!this.settings.quiet) this.dte.write(formatInfo(text, this.#format()));
  }

  get offHook(): boolean {
    return this.#offHook;
  }

  /** Connect the modem to its exchange line (the exchange returns it from addSubscriber/addPort). */
  attachLine(line: ExchangeLine): void {
    this.#line = line;
  }

  /** Add or replace an AT command (voice, X.75 and vendor commands plug in here). */
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

  // ---- CallTerminal -------------------------------------------------------

  offerCall(call: IncomingCall): OfferReply {
    if (this.#offHook || this.#state !== ModemState.Command || this.#incoming || this.#voiceCall) return 'busy';
    this.#incoming = call;
    this.sRegisters.set(S.ringCount, 0);
    call.onRing((on) => this.#ring(call, on));
    call.onCancel(() => this.#incomingGone(call));
    return 'ringing';
  }

  #ring(call: IncomingCall, on: boolean): void {
    if (this.#incoming !== call) return;
    this.dte.setLines({ ri: on });
    if (!on || this.#state !== ModemState.Command) return;
    this.sRegisters.set(S.ringCount, Math.min(255, this.sRegisters.get(S.ringCount) + 1));
    this.#result(ResultCode.Ring);
    const rings = this.sRegisters.get(S.autoAnswerRings);
    // &D2: auto-answer is disabled while DTR is off (V.250 §6.2.9).
    const dtrBlocks = !this.#dtr && this.settings.dtrMode === 2;
    if (rings > 0 && this.sRegisters.get(S.ringCount) >= rings && !dtrBlocks) this.#answer();
  }

  #incomingGone(call: IncomingCall): void {
    if (this.#incoming !== call) return;
    this.#incoming = undefined;
    this.dte.setLines({ ri: false });
    this.sRegisters.set(S.ringCount, 0);
    if (this.#state === ModemState.Answering) this.#endAttempt(ResultCode.NoCarrier);
  }

  // ---- DTE input ----------------------------------------------------------

  #fromDte(bytes: Uint8Array): void {
    if (this.#dteTap) return this.#dteTap(bytes);
    // Online, a whole chunk is data: watch it for +++ byte by byte, pass it on in one write.
    // (The escape is confirmed on a timer, so the state cannot change inside the chunk.)
    if (this.#state === ModemState.Online) {
      for (let i = 0; i < bytes.length; i++) this.#watchEscape(bytes[i]);
      this.#data?.write(bytes);
      return;
    }
    for (let i = 0; i < bytes.length; i++) {
      // A command in this chunk (ATO, ATD) may change the state between bytes.
      switch (this.#state as ModemState) {
        case ModemState.Command:
        case ModemState.OnlineCommand:
          this.#reader.feed(bytes.subarray(i, i + 1));
          break;
        case ModemState.Dialing:
        case ModemState.Answering:
          // V.250 §6.3.1: a character from the DTE aborts the attempt; LF/CR trailing the command line do not.
          if (bytes[i] !== 0x0a && bytes[i] !== this.sRegisters.get(S.cr)) this.#abortAttempt();
          break;
        case ModemState.Online:
          // Reached when an earlier byte of this chunk (ATO) put the modem online.
          this.#watchEscape(bytes[i]);
          this.#data?.write(bytes.subarray(i, i + 1));
          break;
      }
    }
  }

  /** +++ detection (Hayes S2 escape character, S12 guard time): silence, three escape characters, silence. */
  #watchEscape(b: number): void {
    const now = this.clock.now();
    const escape = this.sRegisters.get(S.escapeChar);
    const guard = this.sRegisters.get(S.guardTime) * 20;
    this.#escapeTimer?.cancel();
    this.#escapeTimer = undefined;
    if (escape <= 127 && b === escape && this.#plusCount < 3 && (this.#plusCount === 0 ? now - this.#lastDteAt >= guard : now - this.#lastDteAt < guard || guard === 0)) {
      this.#plusCount++;
      if (this.#plusCount === 3) this.#escapeTimer = this.clock.setTimer(guard, () => this.#escaped());
    } else {
      this.#plusCount = 0;
    }
    this.#lastDteAt = now;
  }

  #escaped(): void {
    this.#escapeTimer = undefined;
    this.#plusCount = 0;
    if (this.#state !== ModemState.Online) return;
    this.#setState(ModemState.OnlineCommand);
    this.#result(ResultCode.Ok);
  }

  #onControl(lines: DteLines): void {
    if (lines.dtr === this.#dtr) return;
    this.#dtr = lines.dtr;
    this.#dtrTimer?.cancel();
    this.#dtrTimer = undefined;
    // S25: DTR must stay off this long (1/100 s) before it counts as a drop.
    if (!lines.dtr) this.#dtrTimer = this.clock.setTimer(this.sRegisters.get(S.dtrDetect) * 10, () => this.#dtrDropped());
  }

  /** V.250 §6.2.9 &D0–&D2, Hayes &D3. */
  #dtrDropped(): void {
    this.#dtrTimer = undefined;
    switch (this.settings.dtrMode) {
      case 1:
        if (this.#state === ModemState.Online) {
          this.#setState(ModemState.OnlineCommand);
          this.#result(ResultCode.Ok);
        }
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
    return this.#state !== ModemState.Command || this.#voiceCall !== undefined;
  }

  // ---- command lines ------------------------------------------------------

  #runLine(body: string, tooLong: boolean): void {
    if (tooLong) return this.#result(ResultCode.Error);
    this.#lastLine = body;
    const parsed = parseCommandLine(body);
    if (!parsed.ok) return this.#result(ResultCode.Error);
    for (const cmd of parsed.commands) {
      const outcome = this.#execute(cmd);
      if (outcome === 'error') return this.#result(ResultCode.Error);
      if (outcome === 'pending') return;
    }
    this.#result(ResultCode.Ok);
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

  #format(): ResultFormat {
    return {
      verbose: this.settings.verbose, quiet: this.settings.quiet, xLevel: this.settings.xLevel,
      cr: this.sRegisters.get(S.cr), lf: this.sRegisters.get(S.lf),
    };
  }

  #setState(next: ModemState): void {
    this.#state = next;
    this.#updateLines();
  }

  #updateLines(): void {
    const carrier = this.#state === ModemState.Online || this.#state === ModemState.OnlineCommand;
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

  #after(ms: number, fn: () => void): void {
    this.#attemptTimers.push(this.clock.setTimer(ms, fn));
  }

  #clearAttempt(): void {
    for (const t of this.#attemptTimers) t.cancel();
    this.#attemptTimers = [];
  }

  /** The attempt ended without carrier: report and go back to command state. */
  #endAttempt(code: ResultCode): void {
    this.#clearAttempt();
    this.#outgoing = undefined;
    this.#ringback = false;
    this.#setState(ModemState.Command);
    this.#result(code);
  }

  #abortAttempt(): void {
    const call = this.#outgoing;
    this.#outgoing = undefined;
    call?.cancel();
    if (this.#state === ModemState.Answering && this.#incoming) {
      // Going on hook while answering releases the caller.
      this.#incoming = undefined;
    }
    this.#endAttempt(ResultCode.NoCarrier);
  }

  #dial(dialString: string): CommandOutcome {
    if (this.#state !== ModemState.Command || this.#voiceCall) return 'error';
    const pump = this.#pumps.get(this.settings.pump);
    if (!pump) return 'error';
    // In voice mode (+FCLASS=8, V.253) every dial places a voice call.
    const voice = dialString.endsWith(';') || this.settings.fclass === VOICE_FCLASS;
    const steps = this.#dialPlan(dialString);
    this.#setState(ModemState.Dialing);
    const line = this.#line;
    if (!line) {
      this.#after(DIAL_TONE_WAIT_MS, () => this.#endAttempt(ResultCode.NoDialtone));
      return 'pending';
    }
    // X2/X4 wait for dial tone; X0/X1/X3 dial blind after S6 (V.250 §6.3, Hayes X).
    const detects = this.settings.xLevel === 2 || this.settings.xLevel === 4;
    if (detects && !line.hasDialTone()) {
      this.#after(DIAL_TONE_WAIT_MS, () => this.#endAttempt(ResultCode.NoDialtone));
      return 'pending';
    }
    let t = detects ? DIAL_TONE_DETECT_MS : this.sRegisters.get(S.blindDialPause) * 1000;
    for (const step of steps.waits) t += step;
    this.#after(t, () => this.#placeCall(line, pump, steps.digits, voice));
    return 'pending';
  }

  /** Digits to send and the time dialing them takes (V.250 §6.3.1 modifiers). */
  #dialPlan(dialString: string): { digits: string; waits: number[] } {
    let mode = this.settings.dialMode;
    let digits = '';
    const waits: number[] = [];
    const tone = this.sRegisters.get(S.dtmfDuration);
    for (const ch of dialString) {
      if (/[0-9*#A-D]/.test(ch)) {
        if (/[0-9*#]/.test(ch)) digits += ch;
        const pulses = ch === '0' ? 10 : Number(ch) || 0;
        waits.push(mode === 'P' && pulses ? pulses * PULSE_MS + PULSE_INTERDIGIT_MS : tone * 2);
      } else if (ch === 'T' || ch === 'P') {
        mode = ch;
      } else if (ch === ',') {
        waits.push(this.sRegisters.get(S.commaPause) * 1000);
      } else if (ch === 'W') {
        waits.push(DIAL_TONE_DETECT_MS);
      } else if (ch === '!') {
        waits.push(FLASH_MS);
      }
      // Anything else (spaces, '-', '(', ')', '@', 'R', ';') does not dial (V.250 §6.3.1: ignored).
    }
    return { digits, waits };
  }

  #placeCall(line: ExchangeLine, pump: DataPump, digits: string, voice: boolean): void {
    if (this.#state !== ModemState.Dialing) return;
    if (voice) {
      // "ATD…;" in data mode: back to command state at once with the call placed. In voice
      // mode the result waits for the answer: VCON (V.253), or BUSY / NO ANSWER / NO CARRIER.
      const waitForAnswer = this.settings.fclass === VOICE_FCLASS;
      this.#voiceCall = line.dial(digits, { bearer: 'voice' }, {
        onConnect: (path) => {
          this.#voicePath = path;
          path.onClose(() => {
            if (this.#voicePath !== path) return;
            this.#voicePath = undefined;
            this.#voiceCall = undefined;
          });
          if (!waitForAnswer || this.#state !== ModemState.Dialing) return;
          this.#clearAttempt();
          this.#setState(ModemState.Command);
          this.writeResult('VCON');
        },
        onFail: (reason) => {
          this.#voiceCall = undefined;
          if (waitForAnswer) this.#dialFailed(reason);
        },
      });
      if (waitForAnswer) {
        this.#after(this.sRegisters.get(S.connectTimeout) * 1000, () => {
          const call = this.#voiceCall;
          this.#voiceCall = undefined;
          call?.cancel();
          this.#endAttempt(ResultCode.NoAnswer);
        });
        return;
      }
      this.#clearAttempt();
      this.#setState(ModemState.Command);
      this.#result(ResultCode.Ok);
      return;
    }
    this.#ringback = false;
    this.#outgoing = line.dial(digits, pump.offer(), {
      onAlerting: () => { this.#ringback = true; },
      onConnect: (path, link) => {
        this.#outgoing = undefined;
        this.#connected(pump.attach(path, link, 'originate'), link);
      },
      onFail: (reason) => this.#dialFailed(reason),
    });
    // S7 counts from the end of dialing; a ringback heard means NO ANSWER, otherwise NO CARRIER.
    this.#after(this.sRegisters.get(S.connectTimeout) * 1000, () => {
      const code = this.#ringback ? ResultCode.NoAnswer : ResultCode.NoCarrier;
      const call = this.#outgoing;
      this.#outgoing = undefined;
      call?.cancel();
      this.#endAttempt(code);
    });
  }

  #dialFailed(reason: CallFailure): void {
    if (reason === 'cancelled' || this.#state !== ModemState.Dialing) return;
    const codes: Record<Exclude<CallFailure, 'cancelled'>, ResultCode> = {
      busy: ResultCode.Busy,
      'no-answer': ResultCode.NoAnswer,
      unobtainable: ResultCode.NoCarrier,
      unreachable: ResultCode.NoCarrier,
      'handshake-failed': ResultCode.NoCarrier,
      'no-dialtone': ResultCode.NoDialtone,
    };
    this.#endAttempt(codes[reason]);
  }

  #answer(): CommandOutcome {
    if (this.#state !== ModemState.Command) return 'error';
    this.#setState(ModemState.Answering);
    const call = this.#incoming;
    if (!call) {
      // ATA without a call: answer tone into an idle line until S7 (Hayes).
      this.#after(this.sRegisters.get(S.connectTimeout) * 1000, () => this.#endAttempt(ResultCode.NoCarrier));
      return 'pending';
    }
    this.dte.setLines({ ri: false });
    const pump = [...this.#pumps.values()].find((p) => p.offer().bearer === call.offer.bearer);
    const link = pump?.answer(call.offer) ?? null;
    call.answer(link, (path) => {
      this.#incoming = undefined;
      if (pump && link) this.#connected(pump.attach(path, link, 'answer'), link);
    });
    return 'pending';
  }

  #connected(data: LineEndpoint, link: LinkInfo): void {
    this.#clearAttempt();
    if (this.#state !== ModemState.Dialing && this.#state !== ModemState.Answering) {
      data.close();
      return;
    }
    this.#data = data;
    this.#link = link;
    this.#lastDteAt = this.clock.now();
    this.#plusCount = 0;
    data.onData((bytes) => {
      if (this.#data === data && this.#state === ModemState.Online) this.dte.write(bytes);
    });
    data.onClose(() => this.#carrierLost(data));
    this.#setState(ModemState.Online);
    this.#result(ResultCode.Connect, link.connectText);
  }

  #carrierLost(data: LineEndpoint): void {
    if (this.#data !== data) return;
    this.#data = undefined;
    this.#link = undefined;
    this.#escapeTimer?.cancel();
    this.#setState(ModemState.Command);
    if (!this.#hangingUp) this.#result(ResultCode.NoCarrier);
  }

  /** Go on hook from any state; `code` is reported if given. */
  #hangUp(code?: ResultCode): void {
    this.#hangingUp = true;
    this.#clearAttempt();
    this.#outgoing?.cancel();
    this.#outgoing = undefined;
    this.#voiceCall?.cancel();
    this.#voiceCall = undefined;
    this.#voicePath = undefined;
    this.#dteTap = undefined;
    this.#data?.close();
    this.#data = undefined;
    this.#link = undefined;
    this.#escapeTimer?.cancel();
    this.#hangingUp = false;
    this.#offHook = false;
    this.#setState(ModemState.Command);
    if (code !== undefined) this.#result(code);
  }

  /** What the command table sees of the modem. */
  readonly #context: ModemContext = {
    modem: this,
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
      if (this.#state !== ModemState.OnlineCommand || !this.#link) return 'error';
      this.#lastDteAt = this.clock.now();
      this.#setState(ModemState.Online);
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
    store: () => this.#store,
    hasPump: (name) => this.#pumps.has(name),
    linesChanged: () => this.#updateLines(),
    state: () => this.#state,
  };
}
