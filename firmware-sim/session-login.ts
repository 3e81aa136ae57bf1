import { CardLogin, type CardOutcome } from './card-login.js';
import type { CardIdentity, CardRefusal, ChipCard } from './chip-card.js';
import { Circle, CIRCLE_NAME } from './circles.js';
import { FirstLoginWizard, type FirstLoginPlan, type FirstUser } from './first-login-wizard.js';
import type { Actor, Pbx } from './pbx.js';
import type { FormatId } from './protocol-log.js';
import type { SessionChannel } from './session-channel.js';
import { formatDateTime } from './time-format.js';
import { AMHOST_ACTOR, AMHOST_NAME, CARD_KEYWORD, type UserRecord } from './user-table.js';

/** Failed logins after which a modem call is hung up. */
export const REMOTE_LOGIN_ATTEMPTS = 3;
/** Legacy Rel-1.0 login (empty user name) is logged under this name. */
export const REL10_USER = 'REL1.0';
/** Seed: terminal administration works only on the first two UP0/E ports. */
const TERMINAL_PORTS = new Set(['UP0E-1', 'UP0E-2']);
/** Longest name a user may have (seed: 16 characters); a longer "name" is refused unlogged. */
const MAX_NAME = 16;
/** Logged as this user when a chip card is refused: nobody is known yet. */
export const CARD_LOG_USER = '(card)';

/** The A0-1 / A0-2 entry of a login: a card login names the card's individual id, so a group login can be traced. */
export function sessionEntry(code: 'A0-1' | 'A0-2', actor: Pick<Actor, 'card'>): string {
  return actor.card ? `${code} card ${actor.card.individual}` : code;
}

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
  /** `CARD` at `User:`: the card frame and the identity question take the next lines (state Card). */
  enterCard(): void;
  /** Ask one line of the first-login dialogue. */
  ask(prompt: string, mask: boolean): void;
  /** Logged in: print `welcome`, then run commands as `actor` (state Command). */
  loggedIn(actor: Actor, welcome: string[]): void;
  /** Log an entry; false (and the session told) when the log cannot take it. */
  audit(actor: Pick<Actor, 'user' | 'circle'>, format: FormatId, command: string): boolean;
  hangUp(reason: string): void;
}

/** A valid card presented at `User:`, and the identity its holder chose. */
interface PresentedCard {
  card: ChipCard;
  identity: CardIdentity;
}

/**
 * What the login holds while the session is in one of its login states
 * (session.ts keeps the state machine; each state has its own piece here).
 */
type Pending =
  /** USER: nothing yet. */
  | { kind: 'none' }
  /** PASSWORD: the name typed, or the card's identity. */
  | { kind: 'password'; user: string; card?: PresentedCard }
  /** CARD: the card being presented. */
  | { kind: 'card'; login: CardLogin }
  /** FIRST_LOGIN: the first user being entered. */
  | { kind: 'first-login'; wizard: FirstLoginWizard };

const NOTHING_PENDING: Pending = { kind: 'none' };

/**
 * The login of one session (seed manual, "Benutzer und Nutzerkreise";
 * docs/session-protocol.md "Login"): user name, password, the Release 1.0
 * legacy password, the first login of the delivered SERVICE account,
 * delays after failures, and the terminal-port rule; on an Octopus E the
 * chip card (docs/octopus-e.md). Every attempt is logged, a success as
 * A0-1 and a failure as A0-3.
 */
export class SessionLogin {
  readonly #pbx: Pbx;
  readonly #place: LoginPlace;
  readonly #io: LoginIo;
  #pending: Pending = NOTHING_PENDING;
  /** Failures on this connection: a modem call is dropped after REMOTE_LOGIN_ATTEMPTS. */
  #failures = 0;

  constructor(pbx: Pbx, place: LoginPlace, io: LoginIo) {
    this.#pbx = pbx;
    this.#place = place;
    this.#io = io;
  }

  /** A line at `User:`. */
  user(name: string): void {
    const io = this.#io;
    this.#pending = NOTHING_PENDING;
    const wait = this.#pbx.loginThrottle.waitMs(this.#throttleKey, this.#pbx.clock.now());
    if (wait > 0) return io.print(`ERROR 429 too many failed logins; wait ${Math.ceil(wait / 1000)} s`);
    const trimmed = name.trim();
    const station = this.#place.stationPort;
    if (station !== undefined && !TERMINAL_PORTS.has(station)) {
      // Refused before a password is typed: there is nothing to check here.
      io.audit({ user: this.#logName(trimmed), circle: undefined }, 3, 'A0-3');
      io.print(`ERROR 403 terminal administration is possible only on the first two UP0/E ports, not on ${station}`);
      return this.#await(NOTHING_PENDING);
    }
    if (trimmed.toUpperCase() === CARD_KEYWORD) return this.#presentCard();
    if (trimmed.length > MAX_NAME) {
      // Too long to be a name: refuse without echoing it into any log.
      io.print(`ERROR 422 user name: at most ${MAX_NAME} characters`);
      return this.#await(NOTHING_PENDING);
    }
    this.#await({ kind: 'password', user: trimmed });
  }

  /** A line while a chip card is presented (state Card). */
  cardLine(text: string): void {
    const pending = this.#pending;
    if (pending.kind !== 'card') return;
    const outcome = pending.login.line(text);
    if (outcome) this.#cardPresented(outcome);
  }

  /** A line at `Password:`. */
  password(password: string): void {
    const pbx = this.#pbx;
    const pending = this.#pending;
    this.#pending = NOTHING_PENDING;
    if (pending.kind !== 'password') return;
    const { user: name, card } = pending;
    if (name === '') {
      if (!pbx.users.verifyLegacy(password)) return this.#failed(name);
      return this.#loggedIn(this.#actor(REL10_USER, Circle.SystemMaintenance), undefined);
    }
    const user = pbx.users.verify(name, password);
    // A card user logs in only with its card, and a card only as a card user of that kind.
    if (!user || user.card !== card?.identity) return this.#failed(name);
    if (user.firstLogin) return this.#startFirstLogin({ chooseCircle: pbx.variant === 'octopus-e' });
    const actor = this.#actor(this.#logName(user.name), user.circle);
    if (card) actor.card = { individual: card.card.individual, group: card.card.group };
    this.#loggedIn(actor, user);
  }

  /** A line of the first-login dialogue (state FirstLogin). */
  firstLoginLine(text: string): void {
    const pending = this.#pending;
    if (pending.kind !== 'first-login') return;
    const first = pending.wizard.line(text);
    if (first) this.#completeFirstLogin(pending.wizard, first);
  }

  /**
   * Wait for the next line in the login state that belongs to `next`: the
   * session moves to that state (its checked transition) as the login keeps
   * that state's piece, so the two never disagree.
   */
  #await(next: Pending): void {
    this.#pending = next;
    switch (next.kind) {
      case 'none':
        return this.#io.askUser();
      case 'password':
        return this.#io.askPassword();
      case 'card':
        return this.#io.enterCard();
      case 'first-login':
        return this.#io.enterFirstLogin();
    }
  }

  /** Was `actor`'s account deleted since it logged in? */
  isGone(actor: Actor): boolean {
    return actor.user !== REL10_USER && !this.#pbx.users.find(actor.user);
  }

  /** Where failures count: the admin port, or the modem for all its callers. */
  get #throttleKey(): string {
    return this.#place.channel === 'local' ? `local:${this.#place.port}` : this.#place.channel;
  }

  /**
   * The name the log gives a login attempt as `name`: the account's own
   * spelling; AMHOST always as "amhost" (seed: "Benutzername ist "amhost"");
   * unknown names are not logged as typed, since people type passwords into
   * the name field.
   */
  #logName(name: string): string {
    const known = this.#pbx.users.find(name)?.name;
    if (known === undefined) return '(unknown)';
    return known === AMHOST_NAME ? AMHOST_ACTOR : known;
  }

  #actor(user: string, circle: Circle | undefined): Actor {
    return { user, circle, rights: this.#pbx.rightsFor(circle), local: this.#place.channel === 'local' };
  }

  #failed(name: string): void {
    this.#attemptFailed(this.#logName(name), 'A0-3', 'ERROR 401 login failed');
  }

  /** A refused attempt: logged, answered, counted; on a modem line the third one hangs up. */
  #attemptFailed(logUser: string, command: string, answer: string): void {
    const io = this.#io;
    this.#failures++;
    io.audit({ user: logUser, circle: undefined }, 3, command);
    io.print(answer);
    if (this.#place.channel !== 'local' && this.#failures >= REMOTE_LOGIN_ATTEMPTS) return io.hangUp('too many failed logins');
    const delay = this.#pbx.loginThrottle.failed(this.#throttleKey, this.#pbx.clock.now());
    io.askUserAfter(delay);
    io.print(`Next attempt in ${delay / 1000} s.`);
  }

  /**
   * `CARD` at `User:`. Only an Octopus E reads chip cards; on it the card
   * frame follows, and a valid card either starts the first login at once
   * (a delivered PBX: the first login asks the identity itself) or asks for
   * the identity, then the password.
   */
  #presentCard(): void {
    const pbx = this.#pbx;
    if (pbx.variant !== 'octopus-e') {
      return this.#attemptFailed(CARD_LOG_USER, 'A0-3 card on a PBX that is no Octopus E', 'ERROR 403 chip cards are read only by an Octopus E');
    }
    this.#await({ kind: 'card', login: new CardLogin(this.#io, pbx.clock, !pbx.users.pristine) });
  }

  #cardPresented(outcome: CardOutcome): void {
    this.#pending = NOTHING_PENDING;
    switch (outcome.kind) {
      case 'broken':
        this.#io.print(`ERROR 422 ${outcome.error}`);
        return this.#await(NOTHING_PENDING);
      case 'refused':
        return this.#cardRefused(outcome.reason, outcome.card);
      case 'accepted': {
        const { card, identity } = outcome;
        // Seed: "Wird bei der Erstanmeldung eine Chipkarte erkannt, wird sogleich die Benutzerverwaltung gestartet."
        if (identity === undefined) return this.#startFirstLogin({ chooseCircle: true, card });
        return this.#await({ kind: 'password', user: card[identity], card: { card, identity } });
      }
    }
  }

  #cardRefused(reason: CardRefusal, card: ChipCard | undefined): void {
    const id = card ? ` ${card.individual}` : '';
    this.#attemptFailed(CARD_LOG_USER, `A0-3 card${id} ${reason}`, `ERROR 403 chip card${id} refused: ${reason}`);
  }

  #startFirstLogin(plan: FirstLoginPlan): void {
    const next = plan.chooseCircle
      ? `Enter the first user: ${plan.card ? 'the identity of your card' : 'name'}, circle and password; they replace the standard name and password.`
      : 'You will be given the rights of System maintenance (Systempflege).';
    this.#io.print('No users are set up in the system yet.', next);
    const wizard = new FirstLoginWizard(this.#io, plan);
    this.#await({ kind: 'first-login', wizard });
    wizard.start();
  }

  /** The first user replaces the delivered account and its default password (D2-1). */
  #completeFirstLogin(wizard: FirstLoginWizard, first: FirstUser): void {
    const pbx = this.#pbx;
    const actor = this.#actor(first.identity, first.circle);
    const card = wizard.card;
    if (card) actor.card = { individual: card.individual, group: card.group };
    if (!this.#io.audit(actor, 8, `D2-1 ${first.identity} ${CIRCLE_NAME[first.circle]}${first.card ? ` card ${first.card}` : ''}`)) {
      return this.#await(NOTHING_PENDING);
    }
    const created = pbx.users.completeFirstLogin(first.identity, first.password, pbx.clock.now(), { circle: first.circle, card: first.card });
    if (!created.ok) {
      this.#io.print(`ERROR ${created.code} ${created.error}`);
      return wizard.start();
    }
    this.#pending = NOTHING_PENDING;
    pbx.persist();
    // The rights of the circle changed with the new user: recompute.
    this.#loggedIn({ ...actor, rights: pbx.rightsFor(first.circle) }, created.user);
  }

  #loggedIn(actor: Actor, user: UserRecord | undefined): void {
    const pbx = this.#pbx;
    if (!this.#io.audit(actor, 3, sessionEntry('A0-1', actor))) return this.#await(NOTHING_PENDING);
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
