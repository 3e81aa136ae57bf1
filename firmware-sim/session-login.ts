import { Circle, CIRCLE_NAME } from './circles.js';
import { FirstLoginWizard } from './first-login-wizard.js';
import type { Actor, Pbx } from './pbx.js';
import type { FormatId } from './protocol-log.js';
import type { SessionChannel } from './session-channel.js';
import { formatDateTime } from './time-format.js';
import { AMHOST_ACTOR, AMHOST_NAME, type UserRecord } from './user-table.js';

/** Failed logins after which a modem call is hung up. */
export const REMOTE_LOGIN_ATTEMPTS = 3;
/** Legacy Rel-1.0 login (empty user name) is logged under this name. */
export const REL10_USER = 'REL1.0';
/** Seed: terminal administration works only on the first two UP0/E ports. */
const TERMINAL_PORTS = new Set(['UP0E-1', 'UP0E-2']);
/** Longest name a user may have (seed: 16 characters); a longer "name" is refused unlogged. */
const MAX_NAME = 16;

/** Where a login came in. */
export interface LoginPlace {
  channel: SessionChannel;
  /** Where it came in, for logs (e.g. "V.24", "UP0E-1", "IMOD 0301234"). */
  port: string;
  /** Station port when this is an Assistant T terminal. */
  stationPort?: string;
}

/** What the login needs of its session: the prompts, the moves between them, and the log. */
export interface LoginIo {
  print(...lines: string[]): void;
  /** Ask `User:` (state User). */
  askUser(): void;
  /** Ask `Password:` (state Password). */
  askPassword(): void;
  /** Back to User after a failure; ask `User:` once `delayMs` have passed, if still waiting for it. */
  askUserAfter(delayMs: number): void;
  /** The delivered account: the first-login dialogue takes the next lines (state FirstLogin). */
  enterFirstLogin(): void;
  /** Ask one line of the first-login dialogue. */
  ask(prompt: string, mask: boolean): void;
  /** Logged in: print `welcome`, then run commands as `actor` (state Command). */
  loggedIn(actor: Actor, welcome: string[]): void;
  /** Log an entry; false (and the session told) when the log cannot take it. */
  audit(actor: Pick<Actor, 'user' | 'circle'>, format: FormatId, command: string): boolean;
  hangUp(reason: string): void;
}

/**
 * The login of one session (seed manual, "Benutzer und Nutzerkreise";
 * docs/session-protocol.md "Login"): user name, password, the Release 1.0
 * legacy password, the first login of the delivered SERVICE account,
 * delays after failures, and the terminal-port rule. Every attempt is
 * logged, a success as A0-1 and a failure as A0-3.
 */
export class SessionLogin {
  readonly #pbx: Pbx;
  readonly #place: LoginPlace;
  readonly #io: LoginIo;
  #pendingUser = '';
  /** Failures on this connection: a modem call is dropped after REMOTE_LOGIN_ATTEMPTS. */
  #failures = 0;
  #wizard: FirstLoginWizard | undefined;

  constructor(pbx: Pbx, place: LoginPlace, io: LoginIo) {
    this.#pbx = pbx;
    this.#place = place;
    this.#io = io;
  }

  /** A line at `User:`. */
  user(name: string): void {
    const io = this.#io;
    const wait = this.#pbx.loginThrottle.waitMs(this.#throttleKey, this.#pbx.clock.now());
    if (wait > 0) return io.print(`ERROR 429 too many failed logins; wait ${Math.ceil(wait / 1000)} s`);
    const trimmed = name.trim();
    const station = this.#place.stationPort;
    if (station !== undefined && !TERMINAL_PORTS.has(station)) {
      // Refused before a password is typed: there is nothing to check here.
      io.audit({ user: this.#pbx.users.find(trimmed)?.name ?? '(unknown)', circle: undefined }, 3, 'A0-3');
      io.print(`ERROR 403 terminal administration is possible only on the first two UP0/E ports, not on ${station}`);
      return io.askUser();
    }
    if (trimmed.length > MAX_NAME) {
      // Too long to be a name: refuse without echoing it into any log.
      io.print(`ERROR 422 user name: at most ${MAX_NAME} characters`);
      return io.askUser();
    }
    this.#pendingUser = trimmed;
    io.askPassword();
  }

  /** A line at `Password:`. */
  password(password: string): void {
    const pbx = this.#pbx;
    const name = this.#pendingUser;
    if (name === '') {
      if (!pbx.users.verifyLegacy(password)) return this.#failed(undefined);
      return this.#loggedIn(this.#actor(REL10_USER, Circle.SystemMaintenance), undefined);
    }
    const user = pbx.users.verify(name, password);
    if (!user) return this.#failed(pbx.users.find(name)?.name);
    if (user.firstLogin) return this.#startFirstLogin();
    this.#loggedIn(this.#actor(user.name === AMHOST_NAME ? AMHOST_ACTOR : user.name, user.circle), user);
  }

  /** A line of the first-login dialogue. */
  firstLoginLine(text: string): void {
    this.#wizard?.line(text);
  }

  /** Was `actor`'s account deleted since it logged in? */
  isGone(actor: Actor): boolean {
    return actor.user !== REL10_USER && !this.#pbx.users.find(actor.user);
  }

  /** Where failures count: the admin port, or the modem for all its callers. */
  get #throttleKey(): string {
    return this.#place.channel === 'local' ? `local:${this.#place.port}` : this.#place.channel;
  }

  #actor(user: string, circle: Circle | undefined): Actor {
    return { user, circle, rights: this.#pbx.rightsFor(circle), local: this.#place.channel === 'local' };
  }

  #failed(knownName: string | undefined): void {
    const io = this.#io;
    this.#failures++;
    // Unknown names are not logged as typed: people type passwords into the name field.
    io.audit({ user: knownName ?? '(unknown)', circle: undefined }, 3, 'A0-3');
    io.print('ERROR 401 login failed');
    if (this.#place.channel !== 'local' && this.#failures >= REMOTE_LOGIN_ATTEMPTS) return io.hangUp('too many failed logins');
    const delay = this.#pbx.loginThrottle.failed(this.#throttleKey, this.#pbx.clock.now());
    io.askUserAfter(delay);
    io.print(`Next attempt in ${delay / 1000} s.`);
  }

  #startFirstLogin(): void {
    this.#io.enterFirstLogin();
    this.#io.print('No users are set up in the system yet.', 'You will be given the rights of System maintenance (Systempflege).');
    this.#wizard = new FirstLoginWizard(this.#io, (identity, password) => this.#completeFirstLogin(identity, password));
    this.#wizard.start();
  }

  /** The first user replaces SERVICE and its default password, in System maintenance (D2-1). */
  #completeFirstLogin(identity: string, password: string): void {
    const pbx = this.#pbx;
    const actor = this.#actor(identity, Circle.SystemMaintenance);
    if (!this.#io.audit(actor, 8, `D2-1 ${identity} ${CIRCLE_NAME[Circle.SystemMaintenance]}`)) {
      this.#wizard = undefined;
      return this.#io.askUser();
    }
    const created = pbx.users.completeFirstLogin(identity, password, pbx.clock.now());
    if (!created.ok) {
      this.#io.print(`ERROR ${created.code} ${created.error}`);
      return this.#wizard?.start();
    }
    this.#wizard = undefined;
    pbx.persist();
    // The rights of System maintenance changed with the new user: recompute.
    this.#loggedIn({ ...actor, rights: pbx.rightsFor(Circle.SystemMaintenance) }, created.user);
  }

  #loggedIn(actor: Actor, user: UserRecord | undefined): void {
    const pbx = this.#pbx;
    if (!this.#io.audit(actor, 3, 'A0-1')) return this.#io.askUser();
    this.#failures = 0;
    pbx.loginThrottle.succeeded(this.#throttleKey);
    const circle = actor.circle === undefined ? 'no circle' : CIRCLE_NAME[actor.circle];
    if (!user) return this.#io.loggedIn(actor, [`Welcome (Release 1.0 password, ${circle}).`]);
    const last = user.lastLogin === undefined ? 'never' : formatDateTime(user.lastLogin);
    const welcome = [`Welcome ${user.name} (${circle}).`, `Account created ${formatDateTime(user.created)}; last login ${last}.`];
    pbx.users.touchLogin(user.name, pbx.clock.now());
    pbx.persist();
    this.#io.loggedIn(actor, welcome);
  }
}
