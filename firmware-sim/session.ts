import { ArmorReader, armorFrame, type FrameType } from './armored-frame.js';
import { Circle, CIRCLE_NAME } from './circles.js';
import { tokenize } from './command-tokens.js';
import type { TimerHandle } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { LineDiscipline, MAX_LINE } from './line-discipline.js';
import type { Actor, Pbx } from './pbx.js';
import { LogAppendError } from './protocol-log.js';
import { ACTION_TEXT, circlesAllowed } from './rights.js';
import { findCommand, type CommandContext } from './session-commands.js';
import { verifySecret } from './secret-hash.js';
import { formatDateTime } from './time-format.js';
import { AMHOST_NAME, UserTable, type UserRecord } from './user-table.js';

/**
 * How the session reached the PBX. `local` is an admin port (V.24 service
 * interface or a station terminal); `imod` and `x75` are remote calls
 * through the built-in modems and start with the customer PIN.
 */
export type SessionChannel = 'local' | 'imod' | 'x75';

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
 *   GATE ──pass──► USER ──name──► PASSWORD ──ok──► COMMAND ◄──────┐
 *     │hang up       ▲   ◄─fail (A0-3, delay)─┘      │ ask/frame   │
 *     ▼              │                               ▼             │
 *   CLOSED ◄── logout on a modem line ── COMMAND  DIALOGUE ────────┘
 *                    ▲
 *   PASSWORD (delivered SERVICE) ──► FIRST_LOGIN (identity, new password twice) ──► COMMAND
 */
export enum SessionState {
  Gate = 'gate',
  User = 'user',
  Password = 'password',
  FirstLogin = 'first-login',
  Command = 'command',
  Dialogue = 'dialogue',
  Closed = 'closed',
}

export { LOGIN_DELAY_MAX_MS } from './login-throttle.js';
/** Failed logins after which a modem call is hung up. */
export const REMOTE_LOGIN_ATTEMPTS = 3;
/** Legacy Rel-1.0 login (empty user name) is logged under this name. */
export const REL10_USER = 'REL1.0';

const TERMINAL_PORTS = new Set(['UP0E-1', 'UP0E-2']);

export class AdminSession {
  readonly #pbx: Pbx;
  readonly #line: LineEndpoint;
  readonly #opts: SessionOptions;
  readonly #ld: LineDiscipline;
  #state: SessionState = SessionState.User;
  #pendingUser = '';
  #actor: Actor | undefined;
  /** Failures on this connection: a modem call is dropped after REMOTE_LOGIN_ATTEMPTS. */
  #failures = 0;
  #delayTimer: TimerHandle | undefined;
  #prompt = true;
  #answer: ((text: string) => void) | undefined;
  #armor: { reader: ArmorReader | undefined; type: FrameType; then: (payload: Buffer) => void } | undefined;
  readonly #closeListeners: Array<() => void> = [];

  constructor(pbx: Pbx, line: LineEndpoint, options: SessionOptions) {
    this.#pbx = pbx;
    this.#line = line;
    this.#opts = options;
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
    return this.#state;
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

  // --- output -------------------------------------------------------------

  /** Input is decoded as UTF-8 (line-discipline.ts), so output is encoded the same way. */
  #write(text: string): void {
    this.#line.write(Buffer.from(text, 'utf8'));
  }

  #print(...lines: string[]): void {
    if (this.#state === SessionState.Closed) return;
    for (const l of lines) this.#write(`${l}\r\n`);
  }

  #ok(note?: string): void {
    if (note) this.#print(note);
    this.#print('OK');
    this.#showPrompt();
  }

  #fail(code: number, text: string): void {
    this.#print(`ERROR ${code} ${text}`);
    this.#showPrompt();
  }

  #showPrompt(): void {
    if (this.#state === SessionState.Command && this.#prompt && this.#ld.echo) this.#write('hicom> ');
  }

  #ask(text: string, mask: boolean): void {
    this.#ld.mask = mask;
    this.#write(`${text} `);
  }

  // --- flow ---------------------------------------------------------------

  #greet(): void {
    const [l1, l2] = this.#pbx.display();
    this.#print(`HICOM-SIM ${this.#pbx.type} ${this.#pbx.systemId} APS ${this.#pbx.apsVersion}`, `${l1.trimEnd()} | ${l2.trimEnd()}`);
    if (this.#opts.gate) {
      this.#state = SessionState.Gate;
      this.#opts.gate.start({
        print: (...lines) => this.#print(...lines),
        prompt: (text, mask) => this.#ask(text, mask),
        pass: () => this.#toUser(),
        hangUp: (reason) => this.hangUp(reason),
      });
    } else {
      this.#toUser();
    }
  }

  #toUser(): void {
    this.#state = SessionState.User;
    this.#pendingUser = '';
    this.#ask('User:', false);
  }

  /** End the session from the PBX side (logout on a modem line, PIN failure …). */
  hangUp(reason: string): void {
    if (this.#state === SessionState.Closed) return;
    this.#print(`BYE ${reason}`);
    this.#line.close();
    this.#closed();
  }

  #closed(): void {
    if (this.#state === SessionState.Closed) return;
    this.#delayTimer?.cancel();
    const actor = this.#actor;
    this.#state = SessionState.Closed;
    this.#actor = undefined;
    // A dropped line ends the login like a logout, so the log shows it.
    if (actor) this.#safeAudit(actor, 3, 'A0-2');
    for (const l of this.#closeListeners) l();
  }

  #onOverflow(length: number): void {
    this.#ld.mask = false;
    const text = `line too long (${length} characters; at most ${MAX_LINE})`;
    if (this.#state === SessionState.Command) this.#fail(413, text);
    else {
      this.#print(`ERROR 413 ${text}`);
      this.#reprompt();
    }
  }

  #onInterrupt(): void {
    if (this.#state === SessionState.Dialogue) {
      this.#answer = undefined;
      this.#armor = undefined;
      this.#ld.mask = false;
      this.#state = SessionState.Command;
      this.#fail(499, 'interrupted');
    } else if (this.#state === SessionState.Command) {
      this.#showPrompt();
    }
  }

  /** Ask again for whatever the current state waits for. */
  #reprompt(): void {
    switch (this.#state) {
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
    switch (this.#state) {
      case SessionState.Gate:
        return this.#opts.gate?.line(text);
      case SessionState.User:
        return this.#onUser(text);
      case SessionState.Password:
        return this.#onPassword(text);
      case SessionState.FirstLogin:
      case SessionState.Dialogue:
        if (this.#armor) return this.#onArmorLine(text);
        if (this.#answer) {
          const answer = this.#answer;
          this.#answer = undefined;
          return this.#guarded(() => answer(text));
        }
        return;
      case SessionState.Command:
        return this.#onCommand(text);
      case SessionState.Closed:
        return;
    }
  }

  // --- login --------------------------------------------------------------

  /** Where failures count: the admin port, or the modem for all its callers. */
  get #throttleKey(): string {
    return this.#opts.channel === 'local' ? `local:${this.#opts.port}` : this.#opts.channel;
  }

  #onUser(name: string): void {
    const wait = this.#pbx.loginThrottle.waitMs(this.#throttleKey, this.#pbx.clock.now());
    if (wait > 0) {
      this.#print(`ERROR 429 too many failed logins; wait ${Math.ceil(wait / 1000)} s`);
      return;
    }
    if (this.#opts.stationPort !== undefined && !TERMINAL_PORTS.has(this.#opts.stationPort)) {
      // Refused before a password is typed: there is nothing to check here.
      this.#safeAudit({ user: this.#pbx.users.find(name.trim())?.name ?? '(unknown)', circle: undefined }, 3, 'A0-3');
      this.#print(`ERROR 403 terminal administration is possible only on the first two UP0/E ports, not on ${this.#opts.stationPort}`);
      return this.#ask('User:', false);
    }
    const trimmed = name.trim();
    if (trimmed.length > 16) {
      // Too long to be a name: refuse without echoing it into any log.
      this.#print('ERROR 422 user name: at most 16 characters');
      return this.#ask('User:', false);
    }
    this.#pendingUser = trimmed;
    this.#state = SessionState.Password;
    this.#ask('Password:', true);
  }

  #onPassword(password: string): void {
    const name = this.#pendingUser;
    const pbx = this.#pbx;
    if (name === '') {
      if (pbx.users.verifyLegacy(password)) return this.#loggedIn({ user: REL10_USER, circle: Circle.SystemMaintenance, rights: pbx.rightsFor(Circle.SystemMaintenance), local: this.#opts.channel === 'local' }, undefined);
      return this.#loginFailed(undefined);
    }
    const user = pbx.users.verify(name, password);
    if (!user) return this.#loginFailed(pbx.users.find(name)?.name);
    if (user.firstLogin) return this.#firstLogin();
    const actor: Actor = {
      user: user.name === AMHOST_NAME ? 'amhost' : user.name,
      circle: user.circle,
      rights: pbx.rightsFor(user.circle),
      local: this.#opts.channel === 'local',
    };
    this.#loggedIn(actor, user);
  }

  #loginFailed(knownName: string | undefined): void {
    this.#failures++;
    // Unknown names are not logged as typed: people type passwords into the name field.
    this.#safeAudit({ user: knownName ?? '(unknown)', circle: undefined }, 3, 'A0-3');
    this.#print('ERROR 401 login failed');
    if (this.#opts.channel !== 'local' && this.#failures >= REMOTE_LOGIN_ATTEMPTS) return this.hangUp('too many failed logins');
    const delay = this.#pbx.loginThrottle.failed(this.#throttleKey, this.#pbx.clock.now());
    this.#state = SessionState.User;
    this.#print(`Next attempt in ${delay / 1000} s.`);
    this.#delayTimer = this.#pbx.clock.setTimer(delay, () => {
      if (this.#state === SessionState.User) this.#ask('User:', false);
    });
  }

  #firstLogin(): void {
    this.#state = SessionState.FirstLogin;
    this.#print('No users are set up in the system yet.', 'You will be given the rights of System maintenance (Systempflege).');
    const askIdentity = (): void => {
      this.#ask('Identity (new user name):', false);
      this.#answer = (identity) => {
        const bad = UserTable.checkName(identity.trim());
        if (bad) {
          this.#print(`ERROR 422 ${bad}`);
          return askIdentity();
        }
        askPassword(identity.trim());
      };
    };
    const askPassword = (identity: string): void => {
      this.#ask('New password:', true);
      this.#answer = (pw1) => {
        const bad = UserTable.checkPassword(pw1);
        if (bad) {
          this.#print(`ERROR 422 ${bad}`);
          return askPassword(identity);
        }
        this.#ask('Repeat new password:', true);
        this.#answer = (pw2) => {
          if (pw1 !== pw2) {
            this.#print('ERROR 422 the passwords differ');
            return askPassword(identity);
          }
          const actor: Actor = { user: identity, circle: Circle.SystemMaintenance, rights: this.#pbx.rightsFor(Circle.SystemMaintenance), local: this.#opts.channel === 'local' };
          if (!this.#safeAudit(actor, 8, `D2-1 ${identity} ${CIRCLE_NAME[Circle.SystemMaintenance]}`)) return this.#toUser();
          const created = this.#pbx.users.completeFirstLogin(identity, pw1, this.#pbx.clock.now());
          if (!created.ok) {
            this.#print(`ERROR ${created.code} ${created.error}`);
            return askIdentity();
          }
          this.#pbx.persist();
          this.#loggedIn({ ...actor, rights: this.#pbx.rightsFor(Circle.SystemMaintenance) }, created.user);
        };
      };
    };
    askIdentity();
  }

  #loggedIn(actor: Actor, user: UserRecord | undefined): void {
    if (!this.#safeAudit(actor, 3, 'A0-1')) return this.#toUser();
    this.#failures = 0;
    this.#pbx.loginThrottle.succeeded(this.#throttleKey);
    this.#actor = actor;
    this.#state = SessionState.Command;
    const circle = actor.circle === undefined ? 'no circle' : CIRCLE_NAME[actor.circle];
    if (user) {
      const last = user.lastLogin === undefined ? 'never' : formatDateTime(user.lastLogin);
      this.#print(`Welcome ${user.name} (${circle}).`, `Account created ${formatDateTime(user.created)}; last login ${last}.`);
      this.#pbx.users.touchLogin(user.name, this.#pbx.clock.now());
      this.#pbx.persist();
    } else {
      this.#print(`Welcome (Release 1.0 password, ${circle}).`);
    }
    this.#ok();
  }

  /** Audit, turning a log failure into a clear error instead of a crash. */
  #safeAudit(actor: Pick<Actor, 'user' | 'circle'>, format: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8, command: string): boolean {
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
    if (actor.user !== REL10_USER && !this.#pbx.users.find(actor.user)) {
      this.#safeAudit(actor, 3, 'A0-2');
      this.#actor = undefined;
      this.#print('ERROR 401 your account was deleted; logged out');
      return this.#opts.channel === 'local' ? this.#toUser() : this.hangUp('account deleted');
    }
    if (text.trim() === '') return this.#showPrompt();
    const words = tokenize(text);
    if (typeof words === 'string') return this.#fail(400, words);
    const found = findCommand(words);
    if (!found) return this.#fail(404, `unknown command "${words.slice(0, 2).join(' ')}"; type help`);
    const { command, args } = found;
    // The rights of System maintenance can change while logged in (a user
    // administrator was just created): recompute from the current table.
    actor.rights = this.#pbx.rightsFor(actor.circle);
    if (command.action && !actor.rights.may(command.action)) {
      return this.#fail(403, `missing right: ${ACTION_TEXT[command.action]} (${circlesAllowed(command.action, this.#pbx.users.occupied())})`);
    }
    this.#guarded(() => command.run(this.#context(actor), args));
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
      this.#answer = undefined;
      this.#armor = undefined;
      this.#ld.mask = false;
      this.#state = SessionState.Command;
      this.#fail(507, `protocol log unavailable: ${err.message}; action refused`);
    }
  }

  #context(actor: Actor): CommandContext {
    return {
      pbx: this.#pbx,
      actor,
      channel: this.#opts.channel,
      print: (...lines) => this.#print(...lines),
      ok: (note) => {
        this.#state = SessionState.Command;
        this.#ok(note);
      },
      fail: (code, text) => {
        this.#state = SessionState.Command;
        this.#fail(code, text);
      },
      ask: (text, mask, then) => {
        this.#state = SessionState.Dialogue;
        this.#ask(text, mask);
        this.#answer = then;
      },
      sendFrame: (type, payload) => this.#print(...armorFrame(type, payload)),
      receiveFrame: (type, then) => {
        this.#state = SessionState.Dialogue;
        this.#armor = { reader: undefined, type, then };
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
        this.#safeAudit(actor, 3, 'A0-2');
        this.#actor = undefined;
        if (this.#opts.channel === 'local') {
          this.#print('OK');
          this.#toUser();
        } else {
          this.#print('OK');
          this.hangUp('logged out');
        }
      },
    };
  }

  #onArmorLine(text: string): void {
    const armor = this.#armor;
    if (!armor) return;
    const fail = (error: string): void => {
      this.#armor = undefined;
      this.#state = SessionState.Command;
      this.#fail(422, error);
    };
    if (!armor.reader) {
      const begun = ArmorReader.begin(text);
      if (typeof begun === 'string') return fail(begun);
      armor.reader = begun;
      return;
    }
    const result = armor.reader.push(text);
    if (!result) return;
    this.#armor = undefined;
    if (!result.ok) return fail(result.error);
    if (result.type !== armor.type) return fail('unexpected frame type');
    this.#guarded(() => armor.then(result.payload));
  }
}
