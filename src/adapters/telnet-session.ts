/**
 * The server side of a Telnet connection (RFC 854): separates user data from
 * commands, negotiates options without loops (the "Q method" of RFC 1143,
 * reduced to one pending flag per option and side), unescapes and escapes
 * IAC, and applies NVT end-of-line rules while BINARY is off.
 *
 * It knows nothing about sockets: bytes come in through `receive()`, and
 * everything to send goes out through the `transmit` handler.
 */

import { StateMachine, type TransitionTable } from '../../core/state-machine.js';

/** RFC 854 command codes. */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

/** Option codes. */
export const OPT_BINARY = 0; // RFC 856
export const OPT_ECHO = 1; // RFC 857
export const OPT_SGA = 3; // RFC 858 (suppress go-ahead)
export const OPT_COM_PORT = 44; // RFC 2217

const CR = 13;
const LF = 10;
const NUL = 0;

/** Subnegotiations longer than this are dropped: no option we serve needs more. */
const MAX_SUBNEGOTIATION = 512;

/** Which party an option applies to: `local` = we (WILL/WONT from us), `remote` = the client. */
export type OptionSide = 'local' | 'remote';

export interface TelnetHandlers {
  /** User data, commands removed, NVT end-of-line mapped to CR. */
  data(bytes: Uint8Array): void;
  /** Bytes to put on the wire. */
  transmit(bytes: Uint8Array): void;
  subnegotiation?(option: number, payload: Uint8Array): void;
  optionChanged?(option: number, side: OptionSide, enabled: boolean): void;
}

/**
 * Receiver states.
 *
 * ```
 * Data --IAC--> Iac --WILL/WONT/DO/DONT--> Verb --opt--> Data
 *   |            |--SB--> Sub --IAC--> SubIac --SE--> Data
 *   |            |                        `--IAC--> Sub (0xFF in payload)
 *   |            `--IAC--> Data (one 0xFF data byte) / other cmd --> Data
 *   `--CR (NVT)--> Cr --NUL/LF dropped--> Data
 * ```
 */
enum RxState {
  Data = 'data',
  Cr = 'cr',
  Iac = 'iac',
  Verb = 'verb',
  Sub = 'sub',
  SubIac = 'sub-iac',
}

const RX_MOVES: TransitionTable<RxState> = {
  [RxState.Data]: [RxState.Iac, RxState.Cr],
  [RxState.Cr]: [RxState.Data],
  [RxState.Iac]: [RxState.Data, RxState.Verb, RxState.Sub],
  [RxState.Verb]: [RxState.Data],
  [RxState.Sub]: [RxState.SubIac],
  [RxState.SubIac]: [RxState.Sub, RxState.Data],
};

interface OptionState {
  enabled: boolean;
  /** We asked and wait for the answer; an answer then needs no reply. */
  pending: boolean;
}

export interface TelnetSessionOptions {
  /** Options we agree to perform (answer DO with WILL). */
  local: readonly number[];
  /** Options we let the client perform (answer WILL with DO). */
  remote: readonly number[];
}

export class TelnetSession {
  readonly #rx = new StateMachine('telnet receiver', RX_MOVES, RxState.Data);
  #verb = 0;
  #subOption = -1;
  #sub: number[] = [];
  readonly #local = new Map<number, OptionState>();
  readonly #remote = new Map<number, OptionState>();

  constructor(
    readonly handlers: TelnetHandlers,
    readonly options: TelnetSessionOptions,
  ) {}

  isEnabled(option: number, side: OptionSide): boolean {
    return this.#table(side).get(option)?.enabled === true;
  }

  /** Ask to enable an option: WILL for `local`, DO for `remote`. No-op if already on or asked. */
  request(option: number, side: OptionSide): void {
    const s = this.#get(side, option);
    if (s.enabled || s.pending) return;
    s.pending = true;
    this.#send([IAC, side === 'local' ? WILL : DO, option]);
  }

  /** Feed bytes from the network. */
  receive(bytes: Uint8Array): void {
    const out: number[] = [];
    const flush = (): void => {
      if (out.length > 0) this.handlers.data(Uint8Array.from(out.splice(0)));
    };
    for (const b of bytes) {
      switch (this.#rx.state) {
        case RxState.Cr:
          this.#rx.transition(RxState.Data);
          if (b === NUL || b === LF) break; // CR NUL and CR LF both mean the CR already delivered
          this.#dataByte(b, out);
          break;
        case RxState.Data:
          this.#dataByte(b, out);
          break;
        case RxState.Iac:
          if (b === IAC) {
            out.push(IAC);
            this.#rx.transition(RxState.Data);
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.#verb = b;
            this.#rx.transition(RxState.Verb);
          } else if (b === SB) {
            this.#subOption = -1;
            this.#sub = [];
            this.#rx.transition(RxState.Sub);
          } else {
            // NOP, GA, AYT, BRK, IP …: nothing we act on; the byte is consumed.
            this.#rx.transition(RxState.Data);
          }
          break;
        case RxState.Verb:
          this.#rx.transition(RxState.Data);
          flush(); // data before a negotiation reaches the device before its effects
          this.#negotiate(this.#verb, b);
          break;
        case RxState.Sub:
          if (b === IAC) this.#rx.transition(RxState.SubIac);
          else this.#subByte(b);
          break;
        case RxState.SubIac:
          if (b === IAC) {
            this.#subByte(IAC);
            this.#rx.transition(RxState.Sub);
          } else {
            // SE ends it; anything else is a protocol error that also ends it (RFC 854 leaves it open).
            this.#rx.transition(RxState.Data);
            flush();
            if (b === SE && this.#subOption >= 0 && this.#sub.length <= MAX_SUBNEGOTIATION) {
              this.handlers.subnegotiation?.(this.#subOption, Uint8Array.from(this.#sub));
            }
            this.#sub = [];
          }
          break;
      }
    }
    flush();
  }

  /** Send user data: IAC doubled; bare CR sent as CR NUL while our BINARY is off (RFC 854 NVT). */
  send(data: Uint8Array): void {
    const nvt = !this.isEnabled(OPT_BINARY, 'local');
    const out: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      out.push(b);
      if (b === IAC) out.push(IAC);
      else if (nvt && b === CR && data[i + 1] !== LF) out.push(NUL);
    }
    this.#send(out);
  }

  /** Send `IAC SB option payload IAC SE` with IAC in the payload doubled. */
  sendSubnegotiation(option: number, payload: Uint8Array): void {
    const out = [IAC, SB, option];
    for (const b of payload) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    out.push(IAC, SE);
    this.#send(out);
  }

  #dataByte(b: number, out: number[]): void {
    if (b === IAC) {
      this.#rx.transition(RxState.Iac);
      return;
    }
    out.push(b);
    if (b === CR && !this.isEnabled(OPT_BINARY, 'remote')) this.#rx.transition(RxState.Cr);
  }

  #subByte(b: number): void {
    if (this.#subOption < 0) this.#subOption = b;
    else if (this.#sub.length <= MAX_SUBNEGOTIATION) this.#sub.push(b);
  }

  #negotiate(verb: number, option: number): void {
    const side: OptionSide = verb === DO || verb === DONT ? 'local' : 'remote';
    const wantsOn = verb === DO || verb === WILL;
    const supported = (side === 'local' ? this.options.local : this.options.remote).includes(option);
    const [yes, no] = side === 'local' ? [WILL, WONT] : [DO, DONT];
    const s = this.#get(side, option);
    const wasPending = s.pending;
    s.pending = false;
    if (wantsOn) {
      if (s.enabled) return;
      if (!supported) {
        this.#send([IAC, no, option]);
        return;
      }
      s.enabled = true;
      if (!wasPending) this.#send([IAC, yes, option]);
      this.handlers.optionChanged?.(option, side, true);
    } else {
      if (!s.enabled) return; // a refusal of our request, or already off
      s.enabled = false;
      if (!wasPending) this.#send([IAC, no, option]);
      this.handlers.optionChanged?.(option, side, false);
    }
  }

  #table(side: OptionSide): Map<number, OptionState> {
    return side === 'local' ? this.#local : this.#remote;
  }

  #get(side: OptionSide, option: number): OptionState {
    const table = this.#table(side);
    let s = table.get(option);
    if (!s) {
      s = { enabled: false, pending: false };
      table.set(option, s);
    }
    return s;
  }

  #send(bytes: number[]): void {
    if (bytes.length > 0) this.handlers.transmit(Uint8Array.from(bytes));
  }
}
