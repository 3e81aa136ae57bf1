import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The centre's schema, one interface per table, for both engines
 * (docs/centre-database.md describes every column). Conventions that keep
 * one schema valid on SQLite and PostgreSQL alike:
 *
 * - times are integers: milliseconds since the Unix epoch (`*_at`, `*_ms`);
 * - flags and states are text enums (checked in code), never booleans,
 *   which SQLite cannot bind;
 * - JSON is stored as text and parsed by the repository that owns it;
 * - raw bytes are `blob` (SQLite) / `bytea` (PostgreSQL), both read back as Buffer.
 *
 * Later migrations add tables here; each table is owned by one repository
 * module under `src/database/`.
 */

/** An auto-increment key: generated on insert, a number when read. */
type Id = Generated<number>;

export type DeviceKind = 'pbx' | 'key-depot';
export const DEVICE_KINDS: readonly DeviceKind[] = ['pbx', 'key-depot'];

/** Key/value facts about the database itself (e.g. which master key sealed its device keys). */
export interface SettingsTable {
  name: string;
  value: string;
}

export interface DevicesTable {
  id: string;
  kind: DeviceKind;
  customer_name: string;
  customer_number: string;
  site_name: string;
  site_address: string;
  /** Expected time between two check-ins. */
  check_in_interval_ms: number;
  /** Late once interval + grace passed without a check-in. */
  grace_ms: number;
  /** Missing after k intervals without a check-in. */
  missing_after: number;
  /** Function-test period (null: not supervised). */
  function_test_period_ms: number | null;
  /** Expected test window, minutes after midnight UTC (both null: any time). */
  test_window_start_min: number | null;
  test_window_end_min: number | null;
  /** The device's 32-byte key, AES-256-GCM under the master key (`src/storage/master-key.ts`). */
  key_sealed: Buffer;
  /** 1 at creation, +1 at every rekey. */
  key_version: number;
  created_at: number;
  updated_at: number;
}

/**
 * Replay window per device (spec §5.2), as `core/replay-window.ts` defines
 * it: the highest counter seen (-1 before the first) and a 63-bit mask of
 * the 63 counters below it (bit i = `highest - 1 - i` seen), which fits a
 * signed 64-bit column unchanged. The mask exceeds 2^53, so it is read as
 * text and turned into a bigint by `replay-windows.ts`.
 */
export interface ReplayWindowsTable {
  device_id: string;
  highest: number;
  mask: ColumnType<string, string, string>;
}

/** One row per change or login; `detail` is a JSON object, `address` the client's IP (null for a local command). */
export interface AuditTrailTable {
  id: Id;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
  address: string | null;
}

export interface SchemaTables {
  settings: SettingsTable;
  devices: DevicesTable;
  replay_windows: ReplayWindowsTable;
  audit_trail: AuditTrailTable;
}

export type Database = SchemaTables;

export type DeviceRow = Selectable<DevicesTable>;
export type NewDeviceRow = Insertable<DevicesTable>;
export type DeviceUpdate = Updateable<DevicesTable>;
