import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { circleLetter } from '../circles.js';
import { DISPLAY_WIDTH, type Actor, type Pbx } from '../pbx.js';
import { LogAppendError } from '../protocol-log.js';
import { AMHOST_ACTOR, AMHOST_NAME } from '../user-table.js';
import { MultiTapField } from './multi-tap.js';

/** The two lines of an optiset E display (2 × 24 characters), padded. */
export type DisplayLines = [string, string];

/** Feedback tones the caller hears: one beep for done, three for refused (docs/dtmf-admin.md). */
export type ToneKind = 'ok' | 'error';

export interface DtmfMenuEvents {
  display(lines: DisplayLines): void;
  tone(kind: ToneKind): void;
  /** The user logged out, or login failed too often: the connection should end. */
  end(reason: string): void;
}

/** Back and confirm keys of the display-phone menu. */
export const KEY_BACK = '*';
export const KEY_CONFIRM = '#';
/** Failed logins after which the DTMF connection is cleared (as on a modem line). */
export const DTMF_LOGIN_ATTEMPTS = 3;
/** Longest station number accepted in the station-name menu. */
const STATION_DIGITS = 6;

/** KDS items offered in menu 2, by their key. */
export const MENU_KDS_ITEMS: ReadonlyArray<{ key: string; path: string; label: string }> = [
  { key: '1', path: 'dtmf.passive', label: 'DTMF passive' },
  { key: '2', path: 'dtmf.active', label: 'DTMF active' },
  { key: '3', path: 'signaling.enabled', label: 'Error signaling' },
  { key: '4', path: 'signaling.interval', label: 'Signal interval min' },
  { key: '5', path: 'c2.ring-timeout', label: 'Ring timeout s' },
];

/**
 * Menu states; `*` goes back one level, `#` confirms.
 *
 * ```
 *   LoginName ─#─▶ LoginPassword ─# ok─▶ Main ─0─▶ LoggedOut
 *        ▲             │ # wrong (A0-3)    │1            │2            │3
 *        └─────────────┘              StationNumber   KdsList      Errors ─#─▶ next entry
 *                                        │#              │1-5
 *                                     StationName     KdsItem ─#─▶ KdsEdit ─#─▶ KdsItem
 *                                        │# (changeItem)
 *                                     StationNumber
 * ```
 * `*` leads back up the same edges; the call going down ends any state in LoggedOut.
 */
export enum MenuState {
  LoginName = 'login-name',
  LoginPassword = 'login-password',
  Main = 'main',
  StationNumber = 'station-number',
  StationName = 'station-name',
  KdsList = 'kds-list',
  KdsItem = 'kds-item',
  KdsEdit = 'kds-edit',
  Errors = 'errors',
  LoggedOut = 'logged-out',
}

const MENU_MOVES: TransitionTable<MenuState> = {
  [MenuState.LoginName]: [MenuState.LoginPassword, MenuState.LoggedOut],
  [MenuState.LoginPassword]: [MenuState.LoginName, MenuState.Main, MenuState.LoggedOut],
  [MenuState.Main]: [MenuState.StationNumber, MenuState.KdsList, MenuState.Errors, MenuState.LoggedOut],
  [MenuState.StationNumber]: [MenuState.StationName, MenuState.Main, MenuState.LoggedOut],
  [MenuState.StationName]: [MenuState.StationNumber, MenuState.LoggedOut],
  [MenuState.KdsList]: [MenuState.KdsItem, MenuState.Main, MenuState.LoggedOut],
  [MenuState.KdsItem]: [MenuState.KdsList, MenuState.KdsEdit, MenuState.LoggedOut],
  [MenuState.KdsEdit]: [MenuState.KdsItem, MenuState.LoggedOut],
  [MenuState.Errors]: [MenuState.Main, MenuState.LoggedOut],
  [MenuState.LoggedOut]: [],
};

const fit = (s: string): string => s.slice(0, DISPLAY_WIDTH).padEnd(DISPLAY_WIDTH);

/**
 * The display-phone administration menu driven by DTMF keys (spec §3.5):
 * login with name and password in multi-tap letters, then a small tree of
 * the on-site menu. Pure: the keys come in, display lines and tones go out.
 * Changes go through Pbx.changeItem, so each is logged (format 1 for an
 * Assistant T user) before it is made.
 */
export class DtmfMenu {
  readonly #machine = new StateMachine('DTMF menu', MENU_MOVES, MenuState.LoginName);
  #field = new MultiTapField(16);
  #digits = '';
  #name = '';
  #failures = 0;
  #actor: Actor | undefined;
  #station = '';
  #item = MENU_KDS_ITEMS[0];
  #errorIndex = 0;
  /** Replaces line 2 until the next key: the outcome of the last action. */
  #notice = '';
  #lines: DisplayLines = [fit(''), fit('')];

  constructor(private readonly pbx: Pbx, private readonly via: string, private readonly events: DtmfMenuEvents) {
    this.#show();
  }

  get state(): MenuState {
    return this.#machine.state;
  }

  get actor(): Actor | undefined {
    return this.#actor;
  }

  get display(): DisplayLines {
    return [...this.#lines];
  }

  /** The connection went away: a logged-in user is logged out (A0-2), as a dropped line does in a session. */
  close(): void {
    if (this.#actor) this.#audit(this.#actor, 3, 'A0-2');
    this.#actor = undefined;
    if (!this.#machine.is(MenuState.LoggedOut)) this.#machine.transition(MenuState.LoggedOut);
  }

  key(k: string): void {
    this.#notice = '';
    switch (this.#machine.state) {
      case MenuState.LoginName:
        return this.#text(k, () => { this.#name = this.#field.text; this.#to(MenuState.LoginPassword); }, () => undefined);
      case MenuState.LoginPassword:
        return this.#text(k, () => this.#login(this.#field.text), () => this.#to(MenuState.LoginName));
      case MenuState.Main:
        return this.#main(k);
      case MenuState.StationNumber:
        return this.#number(k, STATION_DIGITS, () => this.#pickStation(), () => this.#to(MenuState.Main));
      case MenuState.StationName:
        return this.#text(k, () => this.#change(`station.${this.#station}.name`, this.#field.text, MenuState.StationNumber), () => this.#to(MenuState.StationNumber));
      case MenuState.KdsList: {
        if (k === KEY_BACK) return this.#to(MenuState.Main);
        const item = MENU_KDS_ITEMS.find((i) => i.key === k);
        if (!item) return this.#refuse('choose 1-5');
        this.#item = item;
        return this.#to(MenuState.KdsItem);
      }
      case MenuState.KdsItem:
        if (k === KEY_BACK) return this.#to(MenuState.KdsList);
        if (k === KEY_CONFIRM) return this.#to(MenuState.KdsEdit);
        return this.#refuse('# edit  * back');
      case MenuState.KdsEdit:
        return this.#number(k, 6, () => this.#change(this.#item.path, this.#editValue(), MenuState.KdsItem), () => this.#to(MenuState.KdsItem));
      case MenuState.Errors: {
        if (k === KEY_BACK) return this.#to(MenuState.Main);
        if (k !== KEY_CONFIRM) return this.#refuse('# next  * back');
        const n = this.pbx.errors.list().length;
        this.#errorIndex = n === 0 ? 0 : (this.#errorIndex + 1) % n;
        return this.#show();
      }
      case MenuState.LoggedOut:
        return;
    }
  }

  // --- input helpers --------------------------------------------------------

  #text(k: string, done: () => void, back: () => void): void {
    const r = this.#field.press(k);
    if (r === 'done') return done();
    if (r === 'back') return back();
    this.#show();
  }

  #number(k: string, max: number, done: () => void, back: () => void): void {
    if (k === KEY_CONFIRM) return done();
    if (k === KEY_BACK) {
      if (this.#digits === '') return back();
      this.#digits = this.#digits.slice(0, -1);
    } else if (/^[0-9]$/.test(k) && this.#digits.length < max) {
      this.#digits += k;
    }
    this.#show();
  }

  #to(state: MenuState): void {
    this.#machine.transition(state);
    this.#field = new MultiTapField(16);
    this.#digits = '';
    if (state === MenuState.Errors) this.#openErrors();
    this.#show();
  }

  #refuse(why: string): void {
    this.#notice = why;
    this.events.tone('error');
    this.#show();
  }

  // --- actions --------------------------------------------------------------

  #login(password: string): void {
    const name = this.#name;
    const user = name === '' ? undefined : this.pbx.users.verify(name, password);
    // The delivered SERVICE account must be set up on site first (identity and new password);
    // a chip card user logs in only with its card, which a telephone keypad cannot present.
    if (!user || user.firstLogin || user.card) {
      this.#failures++;
      this.#audit({ user: this.pbx.users.find(name)?.name ?? '(unknown)', circle: undefined }, 3, 'A0-3');
      if (this.#failures >= DTMF_LOGIN_ATTEMPTS) {
        this.#machine.transition(MenuState.LoggedOut);
        this.#notice = 'too many failures';
        this.events.tone('error');
        this.#show();
        return this.events.end('too many failed logins');
      }
      this.#machine.transition(MenuState.LoginName);
      this.#field = new MultiTapField(16);
      return this.#refuse('login failed');
    }
    const actor: Actor = { user: user.name === AMHOST_NAME ? AMHOST_ACTOR : user.name, circle: user.circle, rights: this.pbx.rightsFor(user.circle), local: false };
    if (!this.#audit(actor, 3, 'A0-1')) return this.#refuse('no protocol log');
    this.pbx.users.touchLogin(user.name, this.pbx.clock.now());
    this.pbx.persist();
    this.#actor = actor;
    this.#failures = 0;
    this.events.tone('ok');
    this.#to(MenuState.Main);
  }

  #main(k: string): void {
    if (k === '1') return this.#to(MenuState.StationNumber);
    if (k === '2') return this.#to(MenuState.KdsList);
    if (k === '3') {
      if (!this.#actor?.rights.may('errors-read')) return this.#refuse('no right: errors');
      return this.#to(MenuState.Errors);
    }
    if (k === '0') {
      const actor = this.#actor;
      if (actor) this.#audit(actor, 3, 'A0-2');
      this.#actor = undefined;
      this.#machine.transition(MenuState.LoggedOut);
      this.events.tone('ok');
      this.#show();
      return this.events.end('logged out');
    }
    this.#refuse('choose 1, 2, 3 or 0');
  }

  #pickStation(): void {
    if (!this.pbx.kds.has(`station.${this.#digits}.name`)) {
      const typed = this.#digits;
      this.#digits = '';
      return this.#refuse(`no station ${typed}`);
    }
    this.#station = this.#digits;
    this.#to(MenuState.StationName);
  }

  #editValue(): string {
    const kind = this.pbx.kds.get(this.#item.path);
    // Yes/no items: 1 = yes, 0 = no (anything else is refused by the value check).
    if (kind === 'yes' || kind === 'no') return this.#digits === '1' ? 'yes' : this.#digits === '0' ? 'no' : this.#digits;
    return this.#digits;
  }

  #change(path: string, value: string, back: MenuState): void {
    const actor = this.#actor;
    if (!actor) return;
    actor.rights = this.pbx.rightsFor(actor.circle);
    let result: ReturnType<Pbx['changeItem']>;
    try {
      result = this.pbx.changeItem(actor, path, value, 'T'); // DTMF administration is an Assistant T session (seed)
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      return this.#refuse('no protocol log');
    }
    if (!result.ok) {
      const why = result.code === 403 ? 'no right' : result.error.replace(/^[^:]*: /, '');
      this.#machine.transition(back);
      this.#field = new MultiTapField(16);
      this.#digits = '';
      return this.#refuse(why);
    }
    this.#machine.transition(back);
    this.#field = new MultiTapField(16);
    this.#digits = '';
    this.#notice = result.note ? 'saved (default)' : 'saved';
    this.events.tone('ok');
    this.#show();
  }

  #openErrors(): void {
    this.#errorIndex = 0;
    if (this.#actor) this.#audit(this.#actor, 6, 'B1-1');
  }

  #audit(actor: Pick<Actor, 'user' | 'circle'>, format: 3 | 6, command: string): boolean {
    try {
      this.pbx.audit(actor, format, command);
      return true;
    } catch (err) {
      if (!(err instanceof LogAppendError)) throw err;
      return false;
    }
  }

  // --- display --------------------------------------------------------------

  #show(): void {
    const [l1, l2] = this.#screen();
    const next: DisplayLines = [fit(l1), fit(this.#notice || l2)];
    if (next[0] === this.#lines[0] && next[1] === this.#lines[1]) return;
    this.#lines = next;
    this.events.display([...next]);
  }

  #screen(): [string, string] {
    const typing = `${this.#field.text}${this.#field.pending ? `[${this.#field.pending}]` : '_'}`;
    switch (this.#machine.state) {
      case MenuState.LoginName:
        return [`DTMF admin ${this.pbx.type}`, `Name: ${typing}`];
      case MenuState.LoginPassword:
        return [`Name: ${this.#name}`, `Password: ${'*'.repeat(this.#field.text.length)}${this.#field.pending ? '*' : '_'}`];
      case MenuState.Main:
        return [`Main ${this.#actor?.user ?? ''} (${circleLetter(this.#actor?.circle)})`, '1Stn 2KDS 3Err 0Logout'];
      case MenuState.StationNumber:
        return ['Station name: number?', `Station: ${this.#digits}_`];
      case MenuState.StationName:
        return [`Stn ${this.#station}: ${this.pbx.kds.get(`station.${this.#station}.name`) ?? ''}`, `New: ${typing}`];
      case MenuState.KdsList:
        return ['KDS: choose 1-5', '1Pas 2Act 3Sig 4Int 5Rng'];
      case MenuState.KdsItem:
        return [this.#item.label, `= ${this.pbx.kds.get(this.#item.path) ?? ''}  #edit *back`];
      case MenuState.KdsEdit: {
        const bool = ['yes', 'no'].includes(this.pbx.kds.get(this.#item.path) ?? '');
        return [`${this.#item.label}${bool ? ' 1y/0n' : ''}`, `New: ${this.#digits}_`];
      }
      case MenuState.Errors: {
        const all = this.pbx.errors.list();
        const r = all[this.#errorIndex];
        if (!r) return ['Error memory', 'empty  * back'];
        return [`Err ${this.#errorIndex + 1}/${all.length} ${r.cls} ${r.code.toString(16).padStart(4, '0')} ${r.location}`, r.text];
      }
      case MenuState.LoggedOut:
        return ['DTMF admin', 'Logged out'];
    }
  }
}
