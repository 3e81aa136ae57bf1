import type { CardIdentity } from './chip-card.js';
import { Circle } from './circles.js';
import { checkOptisetText } from './charset.js';
import { hashSecret, verifySecret } from './secret-hash.js';

/**
 * The PBX's user table (seed manual, "Benutzer und Nutzerkreise").
 *
 * Delivered state: SERVICE with the default password, marked for first
 * login, and AMHOST with its default password and no circle. The first
 * login as SERVICE asks for an identity and a new password; that user is
 * put into System maintenance and SERVICE/default stops working
 * ("Damit werden Standardname und Standardkennwort überschrieben").
 */
export const MAX_USERS = 16;
export const SERVICE_NAME = 'SERVICE';
export const AMHOST_NAME = 'AMHOST';
/** Delivered passwords; documented in docs/session-protocol.md. */
export const DEFAULT_SERVICE_PASSWORD = '31994';
export const DEFAULT_AMHOST_PASSWORD = 'amhost';
/** The name AMHOST acts and is logged under (seed: "Benutzername ist "amhost""). */
export const AMHOST_ACTOR = 'amhost';
/** Typed at `User:`, it presents a chip card (Octopus E), so no user may have this name. */
export const CARD_KEYWORD = 'CARD';
/** Release-1.0 single password, used when the user name is left empty. */
export const DEFAULT_LEGACY_PASSWORD = '31994';

export interface UserRecord {
  name: string;
  /** Undefined only for AMHOST. */
  circle?: Circle;
  passwordHash: string;
  created: number;
  lastLogin?: number;
  /** The delivered SERVICE account, waiting for the first login. */
  firstLogin?: boolean;
  /** Octopus E: the name is a chip card's individual or group id, and this user logs in only with the card. */
  card?: CardIdentity;
}

export interface UserTableState {
  users: UserRecord[];
  legacyHash: string;
}

export type UserResult = { ok: true; user: UserRecord } | { ok: false; code: 403 | 404 | 409 | 422; error: string };

export class UserTable {
  #stored: UserRecord[];
  #legacy: string;
  readonly #cost: number;
  /**
   * Set while the table is the delivered one and its three hashes are not
   * made yet: the time the table was delivered. They are made, each with its
   * own salt, the first time anything reads the table — a fleet of 100,000
   * simulated PBXs that nobody logs in to then pays for no scrypt at start,
   * and whatever is stored or compared is a salted hash as always.
   */
  #deliveredAt: number | undefined;

  constructor(state: UserTableState, hashCost: number) {
    this.#stored = state.users.map((u) => ({ ...u }));
    this.#legacy = state.legacyHash;
    this.#cost = hashCost;
  }

  static delivered(now: number, hashCost: number): UserTable {
    const table = new UserTable({ users: [], legacyHash: '' }, hashCost);
    table.#deliveredAt = now;
    return table;
  }

  /** The users, the delivered ones hashed first if they are not yet. */
  get #users(): UserRecord[] {
    this.#hashDelivered();
    return this.#stored;
  }

  set #users(users: UserRecord[]) {
    this.#hashDelivered();
    this.#stored = users;
  }

  get #legacyHash(): string {
    this.#hashDelivered();
    return this.#legacy;
  }

  #hashDelivered(): void {
    const now = this.#deliveredAt;
    if (now === undefined) return;
    this.#deliveredAt = undefined;
    const cost = this.#cost;
    this.#stored = [
      { name: SERVICE_NAME, circle: Circle.SystemMaintenance, passwordHash: hashSecret(DEFAULT_SERVICE_PASSWORD, cost), created: now, firstLogin: true },
      { name: AMHOST_NAME, passwordHash: hashSecret(DEFAULT_AMHOST_PASSWORD, cost), created: now },
    ];
    this.#legacy = hashSecret(DEFAULT_LEGACY_PASSWORD, cost);
  }

  find(name: string): UserRecord | undefined {
    const key = name.toUpperCase();
    return this.#users.find((u) => u.name.toUpperCase() === key);
  }

  list(): UserRecord[] {
    return this.#users.map((u) => ({ ...u }));
  }

  /** Circles with at least one real user (the delivered SERVICE placeholder does not count). */
  occupied(): Set<Circle> {
    // The delivered table has none (and is not hashed for the asking).
    if (this.#deliveredAt !== undefined) return new Set();
    return new Set(this.#users.filter((u) => u.circle !== undefined && !u.firstLogin).map((u) => u.circle as Circle));
  }

  /** True while only the delivered accounts exist. */
  get pristine(): boolean {
    return this.#deliveredAt !== undefined || this.#users.some((u) => u.firstLogin);
  }

  /** The matching user, or undefined. Always runs one hash so timing does not reveal names. */
  verify(name: string, password: string): UserRecord | undefined {
    const user = this.find(name);
    const ok = verifySecret(password, user?.passwordHash ?? this.#legacyHash);
    return user && ok ? user : undefined;
  }

  verifyLegacy(password: string): boolean {
    return verifySecret(password, this.#legacyHash);
  }

  static checkName(name: string): string | undefined {
    if (name.toUpperCase() === CARD_KEYWORD) return `"${CARD_KEYWORD}" presents a chip card at the User: prompt and cannot be a user name`;
    return checkOptisetText(name, 'user name');
  }

  static checkPassword(password: string): string | undefined {
    return checkOptisetText(password, 'password');
  }

  add(name: string, circle: Circle | undefined, password: string, now: number, card?: CardIdentity): UserResult {
    const bad = UserTable.checkName(name) ?? UserTable.checkPassword(password);
    if (bad) return { ok: false, code: 422, error: bad };
    if (this.find(name)) return { ok: false, code: 409, error: `user ${name} exists already` };
    const isAmhost = name.toUpperCase() === AMHOST_NAME;
    if (isAmhost && circle !== undefined) return { ok: false, code: 422, error: 'AMHOST is created without a circle' };
    if (!isAmhost && circle === undefined) return { ok: false, code: 422, error: 'a circle is required (1–6 or its name)' };
    if (this.#users.length >= MAX_USERS) return { ok: false, code: 409, error: `the table is full: at most ${MAX_USERS} users` };
    if (isAmhost && card !== undefined) return { ok: false, code: 422, error: 'AMHOST is no chip card user' };
    const user: UserRecord = { name: isAmhost ? AMHOST_NAME : name, circle, passwordHash: hashSecret(password, this.#cost), created: now, ...(card ? { card } : {}) };
    this.#users.push(user);
    return { ok: true, user: { ...user } };
  }

  remove(name: string): UserResult {
    const user = this.find(name);
    if (!user) return { ok: false, code: 404, error: `no user ${name}` };
    this.#users = this.#users.filter((u) => u !== user);
    return { ok: true, user: { ...user } };
  }

  setPassword(name: string, password: string): UserResult {
    const user = this.find(name);
    if (!user) return { ok: false, code: 404, error: `no user ${name}` };
    const bad = UserTable.checkPassword(password);
    if (bad) return { ok: false, code: 422, error: bad };
    user.passwordHash = hashSecret(password, this.#cost);
    return { ok: true, user: { ...user } };
  }

  /**
   * First login: replace the delivered SERVICE account by the named user —
   * in System maintenance on a Hicom; in the circle the first user chose,
   * and as a chip card user when it came with a card, on an Octopus E.
   */
  completeFirstLogin(name: string, password: string, now: number, options: { circle?: Circle; card?: CardIdentity } = {}): UserResult {
    const bad = UserTable.checkName(name) ?? UserTable.checkPassword(password);
    if (bad) return { ok: false, code: 422, error: bad };
    const clash = this.find(name);
    if (clash && !clash.firstLogin) return { ok: false, code: 409, error: `user ${name} exists already` };
    this.#users = this.#users.filter((u) => !u.firstLogin);
    const user: UserRecord = { name, circle: options.circle ?? Circle.SystemMaintenance, passwordHash: hashSecret(password, this.#cost), created: now, ...(options.card ? { card: options.card } : {}) };
    this.#users.unshift(user);
    return { ok: true, user: { ...user } };
  }

  /**
   * The reload switch: the delivered table again — SERVICE with its default
   * password for the first login, AMHOST with its default, the Release 1.0
   * password — and every other user gone.
   */
  restoreDelivered(now: number): void {
    this.#stored = [];
    this.#legacy = '';
    this.#deliveredAt = now;
  }

  touchLogin(name: string, now: number): void {
    const user = this.find(name);
    if (user) user.lastLogin = now;
  }

  snapshot(): UserTableState {
    return { users: this.list(), legacyHash: this.#legacyHash };
  }
}
