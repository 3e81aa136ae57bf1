import { armorFrame } from './armored-frame.js';
import type { TimerHandle } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { CommandDispatcher, type SessionSide } from './command-dispatcher.js';
import { LineDiscipline, MAX_LINE } from './line-discipline.js';
import type { Actor, Pbx } from './pbx.js';
import { VARIANT_NAME } from './pbx-variant.js';
import { LogAppendError, type FormatId } from './protocol-log.js';
import { verifySecret } from './secret-hash.js';
import type { SessionChannel } from './session-channel.js';
import { SESSION_COMMANDS } from './session-commands.js';
import { SessionDialogue } from './session-dialogue.js';
import { sessionEntry, SessionLogin, type LoginIo } from './session-login.js';

export interface SessionOptions {
  channel: SessionChannel;
  /** Where it came in, for logs and `show system` (e.g. "V.24", "UP0E-1", "IMOD 0301234"). */
  port: string;
  /**
   * Station port when this is an Assistant T terminal. Terminal
   * administration works only on the first two UP0/E ports (seed manual).
   */
  stationPort?: string;
  /** Extra step before login on remote channels (PIN, callback request); see pin-gate.ts. */
  gate?: SessionGate;
  /** Echo typed characters (on by default: terminals expect the PBX to echo). */
  echo?: boolean;
}

/**
 * A step between connection and login. It gets every line until it calls
 * `pass()` (go on to login) or `hangUp()`.
 */
export interface SessionGate {
  start(io: GateIo): void;
  line(text: string): void;
}

export interface GateIo {
  print(...lines: string[]): void;
  prompt(text: string, mask: boolean): void;
  pass(): void;
  hangUp(reason: string): void;
}

/**
 * Session states.
 *
 * ```
 *   GATE ──pass──► USER ──name──► PASSWORD ──ok──► COMMAND ◄──────┐
 *     │hang up       ▲   ◄─fail (A0-3, delay)─┘      │ ask/frame   │
 *     ▼              │                               ▼             │
 *   CLOSED ◄── logout on a modem line ── COMMAND  DIALOGUE ────────┘
 *                    ▲
 *   PASSWORD (delivered SERVICE) ──► FIRST_LOGIN (identity, new password twice) ──► COMMAND
 *   USER ──CARD (Octopus E)──► CARD (frame, identity) ──► PASSWORD, or FIRST_LOGIN on a delivered PBX
 *                                  └── refused / broken ──► USER
 * ```
 * USER asks again after a refused name; COMMAND goes back to USER on a
 * local logout; every state but CLOSED closes when the line drops.
 */
export enum SessionState {
  Gate = 'gate',
  User = 'user',
  Password = 'password',
  Card = 'card',
  FirstLogin = 'first-login',
  Command = 'command',
  Dialogue = 'dialogue',
  Closed = 'closed',
}

const SESSION_MOVES: TransitionTable<SessionState> = {
  [SessionState.Gate]: [SessionState.User, SessionState.Closed],
  [SessionState.User]: [SessionState.User, SessionState.Password, SessionState.Card, SessionState.Closed],
  [SessionState.Card]: [SessionState.User, SessionState.Password, SessionState.FirstLogin, SessionState.Closed],
  [SessionState.Password]: [SessionState.User, SessionState.FirstLogin, SessionState.Command, SessionState.Closed],
  [SessionState.FirstLogin]: [SessionState.User, SessionState.Command, SessionState.Closed],
  [SessionState.Command]: [SessionState.Command, SessionState.Dialogue, SessionState.User, SessionState.Closed],
  [SessionState.Dialogue]: [SessionState.Dialogue, SessionState.Command, SessionState.Closed],
  [SessionState.Closed]: [],
};

/**
 * One session on an admin port or a modem line: the line (echo, editing,
 * UTF-8 both ways), the gate before login on modem lines, then the login
 * (session-login.ts), then commands (command-dispatcher.ts) and their
 * dialogues (session-dialogue.ts).
 */
export class AdminSession {
  readonly #pbx: Pbx;
  readonly #line: LineEndpoint;
  readonly #opts: SessionOptions;
  readonly #ld: LineDiscipline;
  readonly #machine: StateMachine<SessionState>;
  readonly #login: SessionLogin;
  readonly #dispatcher: CommandDispatcher;
  readonly #dialogue = new SessionDialogue();
  #actor: Actor | undefined;
  /** This login's entry in `pbx.sessions`, while logged in. */
  #registration: number | undefined;
  #delayTimer: TimerHandle | undefined;
  #prompt = true;
  readonly #closeListeners: Array<() => void> = [];

  constructor(pbx: Pbx, line: LineEndpoint, options: SessionOptions) {
    this.#pbx = pbx;
    this.#line = line;
    this.#opts = options;
    this.#machine = new StateMachine(`session ${options.port}`, SESSION_MOVES, options.gate ? SessionState.Gate : SessionState.User);
    this.#login = new SessionLogin(pbx, options, this.#loginIo());
    this.#dispatcher = new CommandDispatcher(pbx, SESSION_COMMANDS);
    this.#ld = new LineDiscipline({
      echo: (text) => this.#write(text),
      onLine: (text) => this.#onLine(text),
      onOverflow: (n) => this.#onOverflow(n),
      onInterrupt: () => this.#onInterrupt(),
    });
    this.#ld.echo = options.echo ?? true;
    line.onData((data) => this.#ld.feed(data));
    line.onClose(() => this.#closed());
    this.#greet();
  }

  get state(): SessionState {
    return this.#machine.state;
  }

  get actor(): Actor | undefined {
    return this.#actor;
  }

  get channel(): SessionChannel {
    return this.#opts.channel;
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** End the session from the PBX side (logout on a modem line, PIN failure …). */
  hangUp(reason: string): void {
    if (this.#machine.is(SessionState.Closed)) return;
    this.#print(`BYE ${reason}`);
    this.#line.close();
    this.#closed();
  }

  // --- output -------------------------------------------------------------

  /** Input is decoded as UTF-8 (line-discipline.ts), so output is encoded the same way. */
  #write(text: string): void {
    this.#line.write(Buffer.from(text, 'utf8'));
  }

  #print(...lines: string[]): void {
    if (this.#machine.is(SessionState.Closed)) return;
    for (const l of lines) this.#write(`${l}\r\n`);
  }

  #showPrompt(): void {
    if (this.#machine.is(SessionState.Command) && this.#prompt && this.#ld.echo) this.#write('hicom> ');
  }

  #ask(text: string, mask: boolean): void {
    this.#ld.mask = mask;
    this.#write(`${text} `);
  }

  /** Back at the command prompt with a status line: OK (after `note`) or ERROR. */
  #status(line: string, note?: string): void {
    if (this.#machine.is(SessionState.Closed)) return;
    this.#machine.transition(SessionState.Command);
    if (note) this.#print(note);
    this.#print(line);
    this.#showPrompt();
  }

  // --- flow ---------------------------------------------------------------

  #greet(): void {
    const [l1, l2] = this.#pbx.display();
    const variant = this.#pbx.variant === 'hicom' ? '' : ` ${VARIANT_NAME[this.#pbx.variant]}`;
    this.#print(`HICOM-SIM ${this.#pbx.type} ${this.#pbx.systemId} APS ${this.#pbx.apsVersion}${variant}`, `${l1.trimEnd()} | ${l2.trimEnd()}`);
    const gate = this.#opts.gate;
    if (!gate) return this.#ask('User:', false);
    gate.start({
      print: (...lines) => this.#print(...lines),
      prompt: (text, mask) => this.#ask(text, mask),
      pass: () => this.#toUser(),
      hangUp: (reason) => this.hangUp(reason),
    });
  }

  #toUser(): void {
    this.#machine.transition(SessionState.User);
    this.#ask('User:', false);
  }

  #closed(): void {
    if (this.#machine.is(SessionState.Closed)) return;
    this.#delayTimer?.cancel();
    const actor = this.#actor;
    this.#machine.transition(SessionState.Closed);
    this.#loggedOut();
    // A dropped line ends the login like a logout, so the log shows it.
    if (actor) this.#safeAudit(actor, 3, sessionEntry('A0-2', actor));
    for (const l of this.#closeListeners) l();
  }

  /** The login ends (logout, dropped line, deleted account): nobody is logged in here any more. */
  #loggedOut(): void {
    this.#actor = undefined;
    this.#pbx.sessions.close(this.#registration);
    this.#registration = undefined;
  }

  #onOverflow(length: number): void {
    this.#ld.mask = false;
    const text = `ERROR 413 line too long (${length} characters; at most ${MAX_LINE})`;
    if (this.#machine.is(SessionState.Command)) return this.#status(text);
    this.#print(text);
    this.#reprompt();
  }

  #onInterrupt(): void {
    if (this.#machine.is(SessionState.Dialogue)) {
      this.#dialogue.cancel();
      this.#ld.mask = false;
      this.#status('ERROR 499 interrupted');
    } else if (this.#machine.is(SessionState.Command)) {
      this.#showPrompt();
    }
  }

  /** Ask again for whatever the current state waits for. */
  #reprompt(): void {
    switch (this.#machine.state) {
      case SessionState.User:
        return this.#ask('User:', false);
      case SessionState.Password:
        return this.#ask('Password:', true);
      default:
        return this.#showPrompt();
    }
  }

  #onLine(text: string): void {
    this.#ld.mask = false;
    switch (this.#machine.state) {
      case SessionState.Gate:
        return this.#opts.gate?.line(text);
      case SessionState.User:
        return this.#login.user(text);
      case SessionState.Password:
        return this.#login.password(text);
      case SessionState.Card:
        return this.#login.cardLine(text);
      case SessionState.FirstLogin:
        return this.#login.firstLoginLine(text);
      case SessionState.Dialogue:
        return this.#onDialogueLine(text);
      case SessionState.Command:
        return this.#onCommand(text);
      case SessionState.Closed:
        return;
    }
  }

  #loginIo(): LoginIo {
    return {
      print: (...lines) => this.#print(...lines),
      ask: (prompt, mask) => this.#ask(prompt, mask),
      askUser: () => this.#toUser(),
      askPassword: () => this.#toPassword(),
      askUserAfter: (delayMs) => this.#toUserAfter(delayMs),
      enterFirstLogin: () => this.#machine.transition(SessionState.FirstLogin),
      enterCard: () => this.#machine.transition(SessionState.Card),
      loggedIn: (actor, welcome) => this.#loggedIn(actor, welcome),
      audit: (actor, format, command) => this.#safeAudit(actor, format, command),
      hangUp: (reason) => this.hangUp(reason),
    };
  }

  #toPassword(): void {
    this.#machine.transition(SessionState.Password);
    this.#ask('Password:', true);
  }

  /** Back to USER after a failed login; `User:` is asked once the delay is over. */
  #toUserAfter(delayMs: number): void {
    this.#machine.transition(SessionState.User);
    this.#delayTimer = this.#pbx.clock.setTimer(delayMs, () => this.#delayOver());
  }

  #delayOver(): void {
    if (this.#machine.is(SessionState.User)) this.#ask('User:', false);
  }

  #loggedIn(actor: Actor, welcome: string[]): void {
    this.#actor = actor;
    this.#registration = this.#pbx.sessions.open({ channel: this.#opts.channel, port: this.#opts.port, user: actor.user, circle: actor.circle, since: this.#pbx.clock.now() });
    this.#machine.transition(SessionState.Command);
    this.#print(...welcome);
    this.#status('OK');
  }

  /** Audit, turning a log failure into a clear error instead of a crash. */
  #safeAudit(actor: Pick<Actor, 'user' | 'circle'>, format: FormatId, command: string): boolean {
    try {
      this.#pbx.audit(actor, format, command);
      return true;
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      this.#print(`ERROR 507 protocol log unavailable: ${err.message}; action refused`);
      return false;
    }
  }

  // --- commands -----------------------------------------------------------

  #onCommand(text: string): void {
    const actor = this.#actor;
    if (!actor) return;
    // A user deleted by an administrator loses an open session at once.
    if (this.#login.isGone(actor)) {
      this.#safeAudit(actor, 3, sessionEntry('A0-2', actor));
      this.#loggedOut();
      this.#print('ERROR 401 your account was deleted; logged out');
      return this.#opts.channel === 'local' ? this.#toUser() : this.hangUp('account deleted');
    }
    if (text.trim() === '') return this.#showPrompt();
    this.#guarded(() => this.#dispatcher.dispatch(text, actor, this.#commandSide(actor)));
  }

  #onDialogueLine(text: string): void {
    const step = this.#dialogue.line(text);
    if (step.kind === 'refused') this.#status(`ERROR 422 ${step.error}`);
    else if (step.kind === 'continue') this.#guarded(step.run);
  }

  /**
   * Run a command or a dialogue step. An entry the log cannot take
   * (LogAppendError, thrown before the action) refuses the action with 507
   * instead of escaping into the line's data handler.
   */
  #guarded(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      this.#dialogue.cancel();
      this.#ld.mask = false;
      this.#status(`ERROR 507 protocol log unavailable: ${err.message}; action refused`);
    }
  }

  /** The session's side of a command's context (command-dispatcher.ts adds the rest). */
  #commandSide(actor: Actor): SessionSide {
    return {
      pbx: this.#pbx,
      actor,
      channel: this.#opts.channel,
      sessionId: this.#registration,
      print: (...lines) => this.#print(...lines),
      ok: (note) => this.#status('OK', note),
      fail: (code, text) => this.#status(`ERROR ${code} ${text}`),
      ask: (text, mask, then) => {
        this.#machine.transition(SessionState.Dialogue);
        this.#ask(text, mask);
        this.#dialogue.ask(then);
      },
      sendFrame: (type, payload) => this.#print(...armorFrame(type, payload)),
      receiveFrame: (type, then) => {
        this.#machine.transition(SessionState.Dialogue);
        this.#dialogue.receiveFrame(type, then);
        this.#print('SEND FRAME');
      },
      verifyOwnPassword: (password) => {
        const user = this.#pbx.users.find(actor.user);
        return user !== undefined && verifySecret(password, user.passwordHash);
      },
      setEcho: (on) => {
        this.#ld.echo = on;
      },
      setPrompt: (on) => {
        this.#prompt = on;
      },
      logout: () => {
        this.#safeAudit(actor, 3, sessionEntry('A0-2', actor));
        this.#loggedOut();
        this.#print('OK');
        if (this.#opts.channel === 'local') this.#toUser();
        else this.hangUp('logged out');
      },
    };
  }
}
