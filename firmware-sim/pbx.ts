import { createHash } from 'node:crypto';
import type { AddressRules } from './address-rules.js';
import { verifyApsImage } from './aps-image.js';
import { MemoryApsStore, type ApsStore } from './aps-store.js';
import { circleLetter, Circle } from './circles.js';
import type { Clock } from '../core/clock.js';
import { COUNTRY_PROFILES, countryProfile, type CountryCode, type DateFormat, type Language } from './country-profile.js';
import { displayClock } from './display-clock.js';
import { DISPLAY_TEXTS } from './display-texts.js';
import { ErrorHistory, REVISOR_ALARM_CODE } from './error-history.js';
import { Kds, type KdsImage } from './kds.js';
import { checkValue, resolveItem } from './kds-schema.js';
import { MaintenanceState } from './maintenance-state.js';
import { PbxType } from './pbx-type.js';
import type { PbxVariant } from './pbx-variant.js';
import { REVISOR_ALARM_FILL, type FormatId, type LogEntry, type ProtocolLog } from './protocol-log.js';
import { RestartableUnits, type UnitKind } from './restartable-units.js';
import { rightsOf, type Action, type Rights } from './rights.js';
import { hashSecret, isSecretHash, SCRYPT_DEFAULT_COST } from './secret-hash.js';
import { freshBoxKey, openSealed, isSealed, sealSecret } from './sealed-secret.js';
import type { CheckInPersisted, PbxState, StateStore } from './state-store.js';
import { LoginThrottle } from './login-throttle.js';
import { AMHOST_ACTOR, UserTable } from './user-table.js';
import { SessionRegistry } from './session-registry.js';

export interface PbxOptions {
  clock: Clock;
  log: ProtocolLog;
  store?: StateStore;
  /** Unique id of this PBX, sent in every error report header. */
  systemId: string;
  type: PbxType;
  /** APS (system software) version, e.g. "HE300M.00.001.01". */
  apsVersion?: string;
  /** scrypt cost for new hashes; lowered only in tests. */
  hashCost?: number;
  /** Where loaded APS images are kept (the FMC in the lab); in RAM if not given. */
  apsStore?: ApsStore;
  /** Hicom (default) or Octopus E, which takes chip cards at login (pbx-variant.ts). */
  variant?: PbxVariant;
  /**
   * Reads IP addresses for the LAN option's service network (address-rules.ts);
   * without it the PBX takes no service network (LAN teleservice admits nobody).
   */
  addressRules?: AddressRules;
}

/** AMHOST, the plus products' account (no circle): it writes the items marked `amhost` in kds-schema.ts. */
export function isAmhost(actor: Pick<Actor, 'user' | 'circle'>): boolean {
  return actor.user === AMHOST_ACTOR && actor.circle === undefined;
}

/** Who is acting: a logged-in user, or the PBX itself. */
export interface Actor {
  user: string;
  circle: Circle | undefined;
  rights: Rights;
  /** Logged in on a local admin port (Assistant T on UP0/E), not via a modem. */
  local: boolean;
  /** Octopus E: the chip card the user logged in with; its individual id traces a group login. */
  card?: { individual: string; group: string };
}

export type Outcome<T = void> = { ok: true; value: T; note?: string } | { ok: false; code: number; error: string };

export const DEFAULT_APS_VERSION = 'HE300M.00.001.01';
/** The display of an optiset E: 2 lines × 24 characters. */
export const DISPLAY_WIDTH = 24;

export const SYSTEM_ACTOR_NAME = 'system';
/**
 * Logged (format 4, database) at the first startup after the reload switch
 * (seed: "Reload der Datenbasis … z.B. mittels Reloadschalter").
 */
export const RELOAD_LOG_COMMAND = 'Reload Datenbasis (Reloadschalter)';

/**
 * One PBX: its KDS, user table, Error History and protocol log, and the
 * rules that tie them together. Pure: time from the clock, persistence
 * through the StateStore, the log through the ProtocolLog.
 */
export class Pbx {
  readonly clock: Clock;
  readonly log: ProtocolLog;
  readonly systemId: string;
  readonly type: PbxType;
  readonly variant: PbxVariant;
  readonly users: UserTable;
  readonly errors: ErrorHistory;
  readonly hashCost: number;
  /** Failed-login delays per access point; see login-throttle.ts. */
  readonly loginThrottle = new LoginThrottle();
  readonly aps: ApsStore;
  /** Running state of trunks, stations, base stations and memory (maintenance actions, format 6). */
  readonly maintenance: MaintenanceState;
  /** Options and modules the special functions restart (restartable-units.ts). */
  readonly units = new RestartableUnits();
  /** Who is logged in right now, on every channel (`show sessions`; a maintenance visit keeps clear of people). */
  readonly sessions = new SessionRegistry();
  /** Reads the service network's addresses; undefined: no service network can be set. */
  readonly addressRules: AddressRules | undefined;
  #apsVersion: string;
  #kds: Kds;
  #kdsIsDefault: boolean;
  #revisorAlarm: boolean;
  #reportSeq: number;
  #reloadPending: boolean;
  readonly #boxKey: Buffer;
  #checkIn: CheckInPersisted;
  readonly #store: StateStore | undefined;
  readonly #changeListeners: Array<(path: string) => void> = [];

  constructor(options: PbxOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.#store = options.store;
    this.hashCost = options.hashCost ?? SCRYPT_DEFAULT_COST;
    this.variant = options.variant ?? 'hicom';
    this.addressRules = options.addressRules;
    const saved = this.#store?.load();
    if (saved) {
      if (saved.systemId !== options.systemId) throw new Error(`state belongs to PBX ${saved.systemId}, not ${options.systemId}`);
      this.systemId = saved.systemId;
      this.type = saved.type;
      this.#apsVersion = saved.apsVersion;
      // Items newer than the saved state get their defaults; saved values win.
      this.#kds = new Kds([...Kds.defaults(saved.type).entries(), ...Object.entries(saved.kds)]);
      this.#kdsIsDefault = saved.kdsIsDefault;
      this.users = new UserTable(saved.users, this.hashCost);
      this.errors = new ErrorHistory(saved.errors);
      this.#revisorAlarm = saved.revisorAlarm;
      this.#reportSeq = saved.reportSeq ?? 0;
      this.#reloadPending = saved.reloadPending === true;
      if (!Number.isInteger(this.#reportSeq) || this.#reportSeq < 0 || this.#reportSeq > 0xffff_ffff) throw new Error(`state of PBX ${saved.systemId}: reportSeq ${JSON.stringify(saved.reportSeq)} is not a number 0–4294967295`);
      this.#boxKey = saved.boxKey ? Buffer.from(saved.boxKey, 'base64') : freshBoxKey();
      this.#checkIn = saved.checkIn ?? { reservedUpTo: 0, clockOffsetMs: 0, lastCommand: 0 };
    } else {
      this.systemId = options.systemId;
      this.type = options.type;
      this.#apsVersion = options.apsVersion ?? DEFAULT_APS_VERSION;
      this.#kds = Kds.defaults(options.type);
      this.#kdsIsDefault = true;
      this.users = UserTable.delivered(this.clock.now(), this.hashCost);
      this.errors = new ErrorHistory();
      this.#revisorAlarm = false;
      this.#reportSeq = 0;
      this.#reloadPending = false;
      this.#boxKey = freshBoxKey();
      this.#checkIn = { reservedUpTo: 0, clockOffsetMs: 0, lastCommand: 0 };
    }
    this.errors.onAdd(() => this.persist());
    this.aps = options.apsStore ?? new MemoryApsStore();
    // The PBX boots the APS on its FMC: a stored image wins over the saved version.
    const stored = this.aps.active();
    if (stored && stored.type === this.type) this.#apsVersion = stored.version;
    this.maintenance = new MaintenanceState(this.type, this.#kds, () => ({ apsVersion: this.#apsVersion, systemId: this.systemId }));
    this.onKdsChange((path) => this.maintenance.applyConfig(path, this.#kds.get(path) ?? ''));
    this.units.add({ kind: 'option', name: 'dect', restart: () => `${this.maintenance.restartBaseStations()} base stations restarted` });
    this.units.add({
      kind: 'module',
      name: 'trunk-and-subscriber',
      restart: () => {
        const r = this.maintenance.restartModules(this.#kds);
        return `${r.trunks} trunks as configured, counters cleared; ${r.stations} stations back in service`;
      },
    });
  }

  /**
   * Startup: every one, the first included, is logged as A2-3 with the APS
   * version; the first one after the reload switch logs the reload before.
   */
  start(): void {
    if (this.#reloadPending) {
      this.audit(this.systemActor(), 4, RELOAD_LOG_COMMAND);
      this.#reloadPending = false;
    }
    this.audit(this.systemActor(), 5, `A2-3-"${this.#apsVersion}"`);
    this.persist();
  }

  /**
   * The reload switch (seed: "Reload der Datenbasis … mittels
   * Reloadschalter"): the delivered database comes back — the default KDS
   * (PIN back to the blocking default), the delivered user table (SERVICE
   * with its default password, AMHOST with its default) — and the system
   * restarts. The protocol log, the Error History, the report sequence and
   * the APS on the FMC stay; the startup records the reload.
   */
  reload(): void {
    const delivered = Kds.defaults(this.type);
    const changed = this.#kds.diff(delivered);
    this.#kds = delivered;
    this.#kdsIsDefault = true;
    this.users.restoreDelivered(this.clock.now());
    this.#reloadPending = true;
    // Saved before the restart: a power cut now still logs the reload at the next startup.
    this.persist();
    for (const path of changed) for (const l of this.#changeListeners) l(path);
    this.restart();
  }

  /** Restart the system (after an APS load): running state as configured, then a startup (A2-3). */
  restart(): void {
    this.maintenance.reset(this.#kds);
    this.start();
  }

  /**
   * Install a received APS image (spec §3.1, format 5): verify type,
   * signature and checksum — a bad image changes nothing — then store it,
   * log A2-2 and restart with it, which logs A2-3 with the new version.
   * The transfer's A2-1 is logged by the caller before the first byte.
   */
  installAps(actor: Actor, image: Buffer): Outcome<{ old: string; version: string }> {
    if (!actor.rights.may('aps-load')) return { ok: false, code: 403, error: 'missing right: APS load (system-maintenance, development)' };
    const checked = verifyApsImage(image, this.type);
    if (!checked.ok) return { ok: false, code: 422, error: `${checked.error}; APS ${this.#apsVersion} keeps running` };
    if (image.length > this.aps.capacity) return { ok: false, code: 413, error: `APS image of ${image.length} bytes does not fit the store (${this.aps.capacity} bytes); APS ${this.#apsVersion} keeps running` };
    const old = this.#apsVersion;
    this.audit(actor, 5, `A2-2 APSXF ${checked.header.version}`);
    this.aps.store(image, checked.header);
    this.#apsVersion = checked.header.version;
    this.persist();
    this.restart();
    return { ok: true, value: { old, version: checked.header.version } };
  }

  get apsVersion(): string {
    return this.#apsVersion;
  }

  get kds(): Kds {
    return this.#kds;
  }

  /**
   * The sequence number for a new error report (spec §3.4, docs/error-report.md):
   * persisted before it is used, so a restart never hands the centre a number
   * it already has for another report. Wraps at 2^32.
   */
  nextReportSeq(): number {
    this.#reportSeq = (this.#reportSeq + 1) >>> 0;
    this.persist();
    return this.#reportSeq;
  }

  /** A sealed secret item (the LAN key) opened for the firmware's own use; undefined when unset. */
  openSecret(path: string): string | undefined {
    const stored = this.#kds.get(path);
    return stored ? openSealed(stored, this.#boxKey) : undefined;
  }

  /** What the LAN option keeps across restarts (lan-check-in.ts). */
  get checkIn(): Readonly<CheckInPersisted> {
    return this.#checkIn;
  }

  /** Store the LAN option's state; durable when it returns (as every persist). */
  saveCheckIn(state: CheckInPersisted): void {
    this.#checkIn = { ...state };
    this.persist();
  }

  get kdsIsDefault(): boolean {
    return this.#kdsIsDefault;
  }

  rightsFor(circle: Circle | undefined): Rights {
    return rightsOf(circle, this.users.occupied());
  }

  systemActor(): Actor {
    return { user: SYSTEM_ACTOR_NAME, circle: undefined, rights: this.rightsFor(undefined), local: true };
  }

  /**
   * Write one protocol-log entry before the action it describes runs. A log
   * that cannot store it throws LogAppendError, and the caller must not run
   * the action. Also raises the class-A "Revisor Alarm" on the way over
   * ~80 % fill, once per crossing.
   */
  audit(actor: Pick<Actor, 'user' | 'circle'>, format: FormatId, command: string): LogEntry | undefined {
    const entry = this.log.append({ time: this.clock.now(), user: actor.user, circle: circleLetter(actor.circle), format, command });
    this.checkLogFill();
    return entry;
  }

  /** Recompute the Revisor Alarm from the log's fill (startup, after archiving). */
  checkLogFill(): void {
    const over = this.log.available && this.log.fill() > REVISOR_ALARM_FILL;
    if (over && !this.#revisorAlarm) {
      this.#revisorAlarm = true;
      this.errors.add({ time: this.clock.now(), cls: 'A', code: REVISOR_ALARM_CODE, location: 'FMC', text: 'Revisor Alarm', pseudo: false });
      this.persist();
    } else if (!over && this.#revisorAlarm) {
      this.#revisorAlarm = false;
      this.persist();
    }
  }

  /**
   * The two display lines of an admin station (2 × 24 characters): the
   * system name, then the first alarm or the clock — local time of the
   * country (daylight saving when C6 is on), its date format, the display
   * language's weekday.
   */
  display(): [string, string] {
    const fit = (s: string): string => s.slice(0, DISPLAY_WIDTH).padEnd(DISPLAY_WIDTH);
    const kds = this.#kds;
    const profile = countryProfile(kds.get('c1.country'));
    // A state saved before an item existed falls back to the country's default.
    const language = (kds.get('c1.language') ?? profile.language) as Language;
    const dateFormat = (kds.get('c1.date-format') ?? profile.dateFormat) as DateFormat;
    const clock = displayClock(this.clock.now(), { language, dateFormat, utcOffsetMinutes: profile.utcOffsetMinutes, daylightSaving: kds.flag('c6.enabled') });
    const alarms = this.errors.activeAlarms();
    if (!this.log.available) alarms.push(DISPLAY_TEXTS[language].noFmc);
    return [fit(kds.get('c1.system-name') ?? this.type), fit(alarms[0] ?? clock)];
  }

  /**
   * Special function "Länderinitialisierung" (docs/session-protocol.md,
   * "Special functions"): the country's defaults go into the KDS — country,
   * display language, date format, outside-line prefix, daylight saving on —
   * logged as one T (or TC) command before they are set. The network model
   * takes the country's tone plan and ringing cadence from c1.country.
   */
  countryInit(actor: Actor, country: CountryCode): Outcome<{ changed: string[] }> {
    const refused = this.#mayNot(actor, 'maintenance');
    if (refused) return refused;
    const profile = COUNTRY_PROFILES[country];
    const clash = this.#prefixClash(profile.outsidePrefix);
    if (clash) return { ok: false, code: 409, error: `${clash}; country ${country} dials out with ${profile.outsidePrefix}` };
    const values: Array<[string, string]> = [
      ['c1.country', country],
      ['c1.language', profile.language],
      ['c1.date-format', profile.dateFormat],
      ['c1.outside-prefix', profile.outsidePrefix],
      ['c6.enabled', 'yes'],
    ];
    this.audit(actor, this.#toolFormat(actor), `Länderinitialisierung ${country}`);
    const changed = values.filter(([path, value]) => this.#kds.get(path) !== value).map(([path]) => path);
    for (const [path, value] of values) this.#kds.set(path, value);
    if (changed.length) this.#kdsIsDefault = false;
    this.persist();
    for (const path of changed) for (const l of this.#changeListeners) l(path);
    return { ok: true, value: { changed } };
  }

  /**
   * Special functions "Rücksetzen angeschlossener Optionen" (kind option,
   * a customer action) and "Rücksetzen Baugruppen" (kind module, a
   * maintenance action): logged, then every unit of the kind (or the one
   * named) restarts. One `name: what it did` line per unit.
   */
  restartUnits(actor: Actor, kind: UnitKind, name?: string): Outcome<string[]> {
    const refused = this.#mayNot(actor, kind === 'option' ? 'customer-actions' : 'maintenance');
    if (refused) return refused;
    if (name !== undefined && !this.units.has(kind, name)) return { ok: false, code: 404, error: `no ${kind} ${name} (${this.units.names(kind).join(', ')})` };
    const menu = kind === 'option' ? `Rücksetzen angeschlossener Optionen ${name ?? 'alle'}` : 'Rücksetzen Baugruppen';
    this.audit(actor, this.#toolFormat(actor), menu);
    return { ok: true, value: this.units.restart(kind, name) };
  }

  #mayNot(actor: Actor, action: Action): Outcome<never> | undefined {
    return actor.rights.may(action) ? undefined : { ok: false, code: 403, error: `missing right: ${action}` };
  }

  /**
   * Format of a T-menu action in the log: 2 (Assistant TC) for the
   * customer's circles, 1 (Assistant T) for the others, unless the change
   * comes through a tool that is Assistant T by nature (DTMF administration).
   */
  #toolFormat(actor: Actor, tool?: 'T' | 'TC'): FormatId {
    const customerTool = actor.circle === Circle.Administration || actor.circle === Circle.ChargeAccounting;
    return (tool ?? (customerTool ? 'TC' : 'T')) === 'TC' ? 2 : 1;
  }

  /** An internal number of the KDS that starts with `prefix` (it could never be dialled), as an error text. */
  #prefixClash(prefix: string): string | undefined {
    for (const [path, value] of this.#kds.entries()) {
      const internal = /^station\.(\d+)\.port$/.exec(path)?.[1] ?? (/^modem\.(imod|x75)\.number$/.test(path) ? value : undefined);
      if (internal?.startsWith(prefix)) return `internal number ${internal} (${path}) starts with ${prefix}`;
    }
    return undefined;
  }

  onKdsChange(listener: (path: string) => void): void {
    this.#changeListeners.push(listener);
  }

  /**
   * Change one KDS item as `actor`: right, value check, log entry (format 1
   * for Assistant T, 2 for Assistant TC = the customer's circles), then the
   * change. Secrets are hashed and never logged.
   */
  changeItem(actor: Actor, path: string, raw: string, tool?: 'T' | 'TC'): Outcome<{ old: string; value: string }> {
    const item = resolveItem(path);
    if (!item || !this.#kds.has(path)) return { ok: false, code: 404, error: `no KDS item ${path}` };
    const { spec, address } = item;
    const confidential = spec.confidential === true;
    if (!actor.rights.canWrite(spec.cls, confidential) && !(spec.amhost && isAmhost(actor))) {
      return { ok: false, code: 403, error: `missing right: write ${spec.cls}${confidential ? ' (confidential)' : ''} data — held by ${actor.rights.ownerOf(spec.cls, confidential)}` };
    }
    if (path === 'c1.outside-prefix') {
      const clash = this.#prefixClash(raw);
      if (clash) return { ok: false, code: 409, error: `${clash}; choose another outside-line prefix` };
    }
    let stored: string;
    let note: string | undefined;
    if (spec.secret) {
      if (raw !== '') {
        const checked = checkValue(spec.kind, raw, this.addressRules);
        if (!checked.ok) return { ok: false, code: 422, error: `${path}: ${checked.error}` };
      }
      stored = raw === '' ? '' : spec.sealed ? sealSecret(raw, this.#boxKey) : hashSecret(raw, this.hashCost);
    } else {
      const checked = checkValue(spec.kind, raw, this.addressRules);
      if (!checked.ok) return { ok: false, code: 422, error: `${path}: ${checked.error}` };
      stored = checked.value;
      note = checked.note;
    }
    const shown = spec.secret ? (stored === '' ? 'DEFAULT' : '*****') : JSON.stringify(stored);
    this.audit(actor, this.#toolFormat(actor, tool), [spec.mnemonic, ...address, shown].join(' '));
    const old = this.#kds.get(path) ?? '';
    this.#kds.setStored(path, stored);
    this.#kdsIsDefault = false;
    this.persist();
    for (const l of this.#changeListeners) l(path);
    return { ok: true, value: { old: spec.secret ? '' : old, value: spec.secret ? '' : stored }, note };
  }

  /** Fingerprint of the current KDS; a read-modify-write must come back with it. */
  generation(): string {
    const h = createHash('sha256');
    for (const [k, v] of this.#kds.entries()) h.update(`${k}\u0000${v}\u0000`);
    return h.digest('hex').slice(0, 16);
  }

  /** The whole KDS, as every circle with KDS-read receives it (spec §3.7). */
  readImage(): KdsImage {
    return {
      format: 'hicom-kds',
      version: 1,
      systemId: this.systemId,
      type: this.type,
      systemVersion: this.#apsVersion,
      baseGeneration: this.generation(),
      items: Object.fromEntries(this.#kds.entries()),
    };
  }

  /**
   * Write a whole KDS. Read-modify-write of this PBX's own current data logs
   * each change as a simulated T command (format 7) and then "Datenbasis
   * schreiben"; any other image (offline or from elsewhere) logs only "KDS
   * Neugenerierung", and an offline one loads only into a default PBX. The
   * user table is never part of it.
   */
  writeImage(actor: Actor, image: KdsImage): Outcome<{ changes: number; mode: 'modify' | 'regenerate' }> {
    if (!actor.rights.may('kds-write')) return { ok: false, code: 403, error: 'missing right: KDS write (system-maintenance)' };
    if (image.format !== 'hicom-kds' || image.version !== 1) return { ok: false, code: 422, error: 'not a KDS image of version 1' };
    if (image.type !== this.type) return { ok: false, code: 422, error: `the KDS is for ${image.type}; this PBX is ${this.type}` };
    const incoming = new Kds(Object.entries(image.items ?? {}));
    for (const [path, value] of incoming.entries()) {
      const item = resolveItem(path);
      if (!item) return { ok: false, code: 422, error: `unknown KDS item ${path}` };
      if (item.spec.secret) {
        if (value !== '' && !(item.spec.sealed ? isSealed(value) : isSecretHash(value))) return { ok: false, code: 422, error: `${path}: secrets travel only as hashes` };
        continue;
      }
      const checked = checkValue(item.spec.kind, value, this.addressRules);
      if (!checked.ok || checked.value !== value) return { ok: false, code: 422, error: `${path}: ${checked.ok ? 'not in stored form' : checked.error}` };
    }
    const changed = this.#kds.diff(incoming);
    const own = image.systemId === this.systemId && image.baseGeneration !== '';
    if (own && image.baseGeneration !== this.generation()) {
      return { ok: false, code: 409, error: 'the KDS in the PBX changed since this image was read; read it again' };
    }
    if (own) {
      for (const path of changed) {
        const item = resolveItem(path);
        if (!item) continue;
        if (!actor.rights.canWrite(item.spec.cls, item.spec.confidential === true)) {
          return { ok: false, code: 403, error: `missing right: write ${path} — held by ${actor.rights.ownerOf(item.spec.cls, item.spec.confidential === true)}` };
        }
      }
      for (const path of changed) {
        const item = resolveItem(path);
        if (!item) continue;
        const value = incoming.get(path) ?? '';
        const shown = item.spec.secret ? (value === '' ? 'DEFAULT' : '*****') : JSON.stringify(value);
        this.audit(actor, 7, [item.spec.mnemonic, ...item.address, shown].join(' '));
      }
      this.#kds = incoming;
      if (changed.length) this.#kdsIsDefault = false;
      this.audit(actor, 4, 'Datenbasis schreiben');
    } else {
      if (image.systemId === '' && !this.#kdsIsDefault) {
        return { ok: false, code: 409, error: 'an offline KDS loads only into a PBX in default state' };
      }
      this.audit(actor, 4, 'KDS Neugenerierung');
      this.#kds = incoming;
      this.#kdsIsDefault = false;
    }
    this.persist();
    for (const path of changed) for (const l of this.#changeListeners) l(path);
    return { ok: true, value: { changes: changed.length, mode: own ? 'modify' : 'regenerate' } };
  }

  snapshot(): PbxState {
    return {
      format: 'hicom-pbx-state',
      version: 1,
      systemId: this.systemId,
      type: this.type,
      apsVersion: this.#apsVersion,
      kds: Object.fromEntries(this.#kds.entries()),
      kdsIsDefault: this.#kdsIsDefault,
      users: this.users.snapshot(),
      errors: this.errors.snapshot(),
      revisorAlarm: this.#revisorAlarm,
      reportSeq: this.#reportSeq,
      ...(this.#reloadPending ? { reloadPending: true } : {}),
      boxKey: this.#boxKey.toString('base64'),
      checkIn: { ...this.#checkIn },
    };
  }

  persist(): void {
    this.#store?.save(this.snapshot());
  }
}
