import { randomBytes } from 'node:crypto';
import { DEVICE_ID_PATTERN, KEY_BYTES } from '../../core/check-in-telegram.js';
import type { Clock } from '../../core/clock.js';
import { EMPTY_REPLAY_WINDOW } from '../../core/replay-window.js';
import { MasterKeyError, type MasterKey } from '../storage/master-key.js';
import type { CentreDatabase } from './centre-database.js';
import { recordAudit } from './audit-trail.js';
import { DEVICE_KINDS, SUPERVISION_MODES, type DeviceKind, type DeviceRow, type SupervisionMode } from './schema.js';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { affected, query, type Work } from './work.js';
import { canonicalTimeZone } from './time-zone.js';

/** Seed 002: "Im Normalbetrieb meldet sich jedes Schlüsseldepot einmal pro Minute" — one check-in a minute. */
export const DEFAULT_CHECK_IN_INTERVAL_MS = 60_000;
/** A check-in may lag by network delay and a retry before the device counts as late. */
export const DEFAULT_GRACE_MS = 30_000;
/** Missing after this many intervals without a check-in. */
export const DEFAULT_MISSING_AFTER = 5;
/**
 * Slack before a function test counts as overdue: a PBX signals at its next
 * interval (≤ 15 min) and retries up to 5 times at that interval (spec
 * §3.4), so a report can lag its pseudo error by up to 75 min.
 */
export const DEFAULT_TEST_GRACE_MS = 2 * 3600_000;
const MASTER_KEY_CHECK = 'master_key_check';

export class DeviceRegistryError extends Error {
  override name = 'DeviceRegistryError';
}

/** The time of day (minutes after midnight UTC) a device's function test is expected in; end < start wraps past midnight. */
export interface TestWindow {
  startMin: number;
  endMin: number;
}

/** What an operator sets per device; every field has a default. */
export interface DeviceSettings {
  customerName: string;
  customerNumber: string;
  siteName: string;
  siteAddress: string;
  checkInIntervalMs: number;
  graceMs: number;
  missingAfter: number;
  /** Function test expected this often (null: not supervised). */
  functionTestPeriodMs: number | null;
  /** Overdue after period + this. */
  testGraceMs: number;
  testWindow: TestWindow | null;
  /** What presence is judged by: UDP check-ins, or (a PBX without the LAN option) its reports by modem. */
  supervise: SupervisionMode;
  /** IANA time zone the device's maintenance windows are read in (docs/maintenance-plans.md); null: the plan's. */
  timeZone: string | null;
}

export interface Device extends DeviceSettings {
  id: string;
  kind: DeviceKind;
  keyVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** Who asks, for the audit trail. */
export interface Actor {
  actor: string;
  address?: string;
}

export const DEFAULT_DEVICE_SETTINGS: Readonly<DeviceSettings> = {
  customerName: '',
  customerNumber: '',
  siteName: '',
  siteAddress: '',
  checkInIntervalMs: DEFAULT_CHECK_IN_INTERVAL_MS,
  graceMs: DEFAULT_GRACE_MS,
  missingAfter: DEFAULT_MISSING_AFTER,
  functionTestPeriodMs: null,
  testGraceMs: DEFAULT_TEST_GRACE_MS,
  testWindow: null,
  supervise: 'checkin',
  timeZone: null,
};

/**
 * The devices the centre knows (spec §5.2 provisioning). Keys are made here
 * (32 random bytes), handed out once in clear, and stored only sealed under
 * the master key with the device id as context, so a sealed key copied to
 * another row does not open.
 */
export class DeviceRegistry {
  readonly #db: CentreDatabase;
  readonly #master: MasterKey;
  readonly #clock: Pick<Clock, 'now'>;

  private constructor(db: CentreDatabase, master: MasterKey, clock: Pick<Clock, 'now'>) {
    this.#db = db;
    this.#master = master;
    this.#clock = clock;
  }

  /**
   * Bind the registry to its master key: the first one used with a database
   * is recorded there (as a check value); any other is refused with one
   * clear line, before a device key is sealed under the wrong one.
   */
  static async open(db: CentreDatabase, master: MasterKey, clock: Pick<Clock, 'now'> = { now: Date.now }): Promise<DeviceRegistry> {
    const check = master.checkValue();
    const stored = await db.run(function* () {
      yield* query(db.kysely.insertInto('settings').values({ name: MASTER_KEY_CHECK, value: check }).onConflict((oc) => oc.column('name').doNothing()));
      const { rows } = yield* query(db.kysely.selectFrom('settings').select('value').where('name', '=', MASTER_KEY_CHECK));
      return rows[0]?.value;
    });
    if (stored !== check) throw new MasterKeyError(`the master key from ${master.source} is not the one the device keys in ${db.description} were sealed with`);
    return new DeviceRegistry(db, master, clock);
  }

  /** Register a device; returns it with its new key (the only time the key leaves in clear). */
  async add(id: string, kind: DeviceKind, settings: Partial<DeviceSettings>, by: Actor): Promise<{ device: Device; key: Buffer }> {
    checkId(id);
    if (!DEVICE_KINDS.includes(kind)) throw new DeviceRegistryError(`kind ${String(kind)} is not one of ${DEVICE_KINDS.join(', ')}`);
    const s = checkSettings(kind, { ...DEFAULT_DEVICE_SETTINGS, ...settings });
    const key = randomBytes(KEY_BYTES);
    const now = this.#clock.now();
    const qb = this.#db.kysely;
    const sealed = this.#master.seal(key, sealContext(id));
    const added = await this.#db.run(function* () {
      // A device removed and added again keeps its command ids rising: the device remembers the highest it ran.
      const { rows } = yield* query(qb.selectFrom('device_commands').select((eb) => eb.fn.max('command_id').as('top')).where('device_id', '=', id));
      const nextCommand = Number(rows[0]?.top ?? 0) + 1;
      const ins = yield* query(qb.insertInto('devices').values({ id, kind, ...settingsRow(s), key_sealed: sealed, key_version: 1, created_at: now, updated_at: now, next_command_id: nextCommand }).onConflict((oc) => oc.column('id').doNothing()));
      if (affected(ins) === 0) return false;
      // The check-in history of an earlier device of this id goes on from its newest check-in (check-ins.ts).
      const head = (yield* query(qb.selectFrom('check_in_heads').select('last_check_in_id').where('device_id', '=', id))).rows[0];
      // The device's row (migration 0013): an empty replay window, its history's head, a first supervision state due now.
      const row = { ...emptyWindowRow(id), last_check_in_id: head === undefined ? null : Number(head.last_check_in_id), ...FIRST_STATE, presence_since: now, test_since: now, next_check_at: now };
      const { device_id: _id, ...rest } = row;
      yield* query(qb.insertInto('supervision_states').values(row).onConflict((oc) => oc.column('device_id').doUpdateSet(rest)));
      if (head !== undefined) yield* query(qb.deleteFrom('check_in_heads').where('device_id', '=', id));
      yield* recordAudit(qb, { at: now, ...by, action: 'device.add', target: id, detail: { kind } });
      return true;
    });
    if (!added) throw new DeviceRegistryError(`device ${id} is already registered`);
    return { device: { id, kind, ...s, keyVersion: 1, createdAt: now, updatedAt: now }, key };
  }

  async list(): Promise<Device[]> {
    const rows = await this.#db.kysely.selectFrom('devices').selectAll().orderBy('id').execute();
    return rows.map(deviceOf);
  }

  async get(id: string): Promise<Device | undefined> {
    const row = await this.#db.kysely.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && deviceOf(row);
  }

  /** The device's key in clear, for the intake; undefined for an unknown device. */
  async key(id: string): Promise<Buffer | undefined> {
    const row = await this.#db.kysely.selectFrom('devices').select('key_sealed').where('id', '=', id).executeTakeFirst();
    return row && this.#master.open(Buffer.from(row.key_sealed), sealContext(id));
  }

  /** Change settings (not the kind, not the key). */
  async update(id: string, settings: Partial<DeviceSettings>, by: Actor): Promise<Device> {
    const current = await this.get(id);
    if (!current) throw new DeviceRegistryError(`no device ${id}`);
    const s = checkSettings(current.kind, { ...current, ...settings });
    const now = this.#clock.now();
    const qb = this.#db.kysely;
    await this.#db.run(function* () {
      yield* query(qb.updateTable('devices').set({ ...settingsRow(s), updated_at: now }).where('id', '=', id));
      yield* dueForSupervision(qb, id, now);
      yield* recordAudit(qb, { at: now, ...by, action: 'device.update', target: id, detail: { fields: Object.keys(settings) } });
    });
    return { ...current, ...s, updatedAt: now };
  }

  /** A new key for the device; its counters start afresh (the replay window is reset: a counter is unique only under one key). */
  async rekey(id: string, by: Actor): Promise<{ device: Device; key: Buffer }> {
    checkId(id);
    const key = randomBytes(KEY_BYTES);
    const sealed = this.#master.seal(key, sealContext(id));
    const now = this.#clock.now();
    const qb = this.#db.kysely;
    const done = await this.#db.run(function* () {
      const upd = yield* query(qb.updateTable('devices').set((eb) => ({ key_sealed: sealed, key_version: eb('key_version', '+', 1), updated_at: now })).where('id', '=', id));
      if (affected(upd) === 0) return false;
      yield* query(qb.updateTable('supervision_states').set(emptyWindowRow(id)).where('device_id', '=', id));
      yield* recordAudit(qb, { at: now, ...by, action: 'device.rekey', target: id });
      return true;
    });
    const device = done ? await this.get(id) : undefined;
    if (!device) throw new DeviceRegistryError(`no device ${id}`);
    return { device, key };
  }

  /** Remove the device and its row (replay window, supervision); its history (check-ins, events, reports) stays. Returns false for an unknown id. */
  async remove(id: string, by: Actor): Promise<boolean> {
    const qb = this.#db.kysely;
    const now = this.#clock.now();
    return this.#db.run(function* () {
      // The device's row goes with it: its check-in history's head stays (check-ins.ts).
      yield* query(
        qb
          .insertInto('check_in_heads')
          .columns(['device_id', 'last_check_in_id'])
          .expression(qb.selectFrom('supervision_states').select(['device_id', 'last_check_in_id']).where('device_id', '=', id).where('last_check_in_id', 'is not', null))
          .onConflict((oc) => oc.column('device_id').doUpdateSet((eb) => ({ last_check_in_id: eb.ref('excluded.last_check_in_id') }))),
      );
      const del = yield* query(qb.deleteFrom('devices').where('id', '=', id));
      if (affected(del) === 0) return false;
      yield* query(qb.deleteFrom('supervision_states').where('device_id', '=', id));
      yield* recordAudit(qb, { at: now, ...by, action: 'device.remove', target: id });
      return true;
    });
  }
}

/** A new device's supervision: nothing known yet (supervision-rules.ts `initialState`). */
const FIRST_STATE = { presence: 'unknown', test: 'unknown', last_check_in_at: null, last_function_test_at: null, test_due_at: null } as const;

/** Let supervision look at a changed device at its next step, with its deadlines under the new settings. */
function* dueForSupervision(qb: Kysely<Database>, id: string, now: number): Work<void> {
  yield* query(qb.updateTable('supervision_states').set({ next_check_at: now }).where('device_id', '=', id));
}

function emptyWindowRow(id: string) {
  return { device_id: id, highest: EMPTY_REPLAY_WINDOW.highest, mask: EMPTY_REPLAY_WINDOW.mask.toString() };
}

function sealContext(id: string): string {
  return `hicom-sim device key ${id}`;
}

function checkId(id: string): void {
  if (!DEVICE_ID_PATTERN.test(id)) throw new DeviceRegistryError(`device id ${JSON.stringify(id)} is not 1–32 characters of A–Z a–z 0–9 . _ - (spec §5.2)`);
}

function checkSettings(kind: DeviceKind, s: DeviceSettings): DeviceSettings {
  const positive = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v <= 0) throw new DeviceRegistryError(`${name} must be a positive whole number, got ${v}`);
  };
  positive('check-in interval', s.checkInIntervalMs);
  if (!Number.isSafeInteger(s.graceMs) || s.graceMs < 0) throw new DeviceRegistryError(`grace must be 0 or more, got ${s.graceMs}`);
  positive('missing after (k)', s.missingAfter);
  if (s.functionTestPeriodMs !== null) positive('function-test period', s.functionTestPeriodMs);
  if (!Number.isSafeInteger(s.testGraceMs) || s.testGraceMs < 0) throw new DeviceRegistryError(`function-test grace must be 0 or more, got ${s.testGraceMs}`);
  if (s.testWindow) {
    for (const [name, v] of [['start', s.testWindow.startMin], ['end', s.testWindow.endMin]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= 24 * 60) throw new DeviceRegistryError(`test window ${name} must be 00:00–23:59, got minute ${v}`);
    }
  }
  if (!SUPERVISION_MODES.includes(s.supervise)) throw new DeviceRegistryError(`supervision ${String(s.supervise)} is not one of ${SUPERVISION_MODES.join(', ')}`);
  if (s.supervise === 'reports' && kind !== 'pbx') throw new DeviceRegistryError(`only a PBX sends reports by modem; a ${kind} is supervised by its check-ins`);
  if (s.timeZone !== null) {
    const zone = canonicalTimeZone(s.timeZone);
    if (zone === undefined) throw new DeviceRegistryError(`time zone ${JSON.stringify(s.timeZone)} is not an IANA time zone (e.g. Europe/Berlin, Europe/Lisbon, UTC)`);
    s = { ...s, timeZone: zone };
  }
  for (const [name, v] of [['customer name', s.customerName], ['customer number', s.customerNumber], ['site name', s.siteName], ['site address', s.siteAddress]] as const) {
    if (v.length > 200) throw new DeviceRegistryError(`${name} is longer than 200 characters`);
  }
  return s;
}

function settingsRow(s: DeviceSettings) {
  return {
    customer_name: s.customerName,
    customer_number: s.customerNumber,
    site_name: s.siteName,
    site_address: s.siteAddress,
    check_in_interval_ms: s.checkInIntervalMs,
    grace_ms: s.graceMs,
    missing_after: s.missingAfter,
    function_test_period_ms: s.functionTestPeriodMs,
    test_grace_ms: s.testGraceMs,
    test_window_start_min: s.testWindow?.startMin ?? null,
    test_window_end_min: s.testWindow?.endMin ?? null,
    supervise: s.supervise,
    time_zone: s.timeZone,
  };
}

export function deviceOf(r: DeviceRow): Device {
  return {
    id: r.id,
    kind: r.kind,
    customerName: r.customer_name,
    customerNumber: r.customer_number,
    siteName: r.site_name,
    siteAddress: r.site_address,
    checkInIntervalMs: Number(r.check_in_interval_ms),
    graceMs: Number(r.grace_ms),
    missingAfter: Number(r.missing_after),
    functionTestPeriodMs: r.function_test_period_ms === null ? null : Number(r.function_test_period_ms),
    testGraceMs: Number(r.test_grace_ms),
    testWindow: r.test_window_start_min === null || r.test_window_end_min === null ? null : { startMin: r.test_window_start_min, endMin: r.test_window_end_min },
    supervise: r.supervise,
    timeZone: r.time_zone,
    keyVersion: Number(r.key_version),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
