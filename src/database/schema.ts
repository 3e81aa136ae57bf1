import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { DeviceKind } from '../../core/device-kind.js';

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

export { DEVICE_KINDS, type DeviceKind } from '../../core/device-kind.js';

/** Key/value facts about the database itself (e.g. which master key sealed its device keys). */
export interface SettingsTable {
  name: string;
  value: string;
}

/**
 * What a device's presence is judged by: `checkin`, its UDP check-ins (spec
 * §5.2); `reports`, the reports a PBX without the LAN option sends by modem
 * (function tests and class-B errors, spec §3.4).
 */
export const SUPERVISION_MODES = ['checkin', 'reports'] as const;
export type SupervisionMode = (typeof SUPERVISION_MODES)[number];

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
  /** The id the next command queued for this device gets (rising per device, migration 0006). */
  next_command_id: Generated<number>;
  /** What supervision watches (migration 0009): its UDP check-ins, or its reports by modem. */
  supervise: Generated<SupervisionMode>;
  /** Slack after the function-test period before the test counts as overdue. */
  test_grace_ms: Generated<number>;
  /** IANA time zone maintenance windows are read in for this device (migration 0010); null: the plan's. */
  time_zone: string | null;
}

/** The newest check-in of a removed device (its replay window went with it), so its history stays readable (migration 0012). */
export interface CheckInHeadsTable {
  device_id: string;
  last_check_in_id: number;
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

export interface CheckInsTable {
  id: Id;
  device_id: string;
  received_at: number;
  counter: number;
  /** The telegram's time field (the device's clock), in ms. */
  device_time_ms: number;
  /** `address:port` the datagram came from. */
  source: string;
  /** The check-in's `status` object as JSON, null when it carried none. */
  status: string | null;
  /** The device's check-in before this one (null for its first): a device's history is read along these links from its head, not through an index (migration 0012). */
  prev_id: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Telegrams that got no reply (or a nak), counted per device id and reason (spec §5.2). */
export interface RejectCountersTable {
  device_id: string;
  reason: string;
  count: number;
  first_at: number;
  last_at: number;
  last_source: string;
}

export type ReportChannel = 'modem' | 'udp' | 'import';

/** Class-B error reports (spec §3.4): the raw bytes as received and their decoded form. */
export interface ReportsTable {
  id: Id;
  system_id: string;
  channel: ReportChannel;
  received_at: number;
  seq: number;
  /** The report's own CRC-32: with system id and seq, what tells a re-sent report from a new one. */
  crc: number;
  pbx_type: string;
  aps_version: string;
  record_count: number;
  /** 1 when the report carries a function-test pseudo error. */
  function_test: number;
  raw: Buffer;
  /** The ErrorReport as JSON (the readable form is rendered from it by `src/centre/report-text.ts`). */
  decoded: string;
}

export type EventSource = 'device' | 'report' | 'supervision' | 'intake';
export type EventLife = 'active' | 'cleared';
export type EventAck = 'unacknowledged' | 'acknowledged';

export interface EventsTable {
  id: Id;
  device_id: string;
  source: EventSource;
  /** e.g. key-taken, tamper, class-b-error, function-test, late, missing, function-test-overdue, rejected-telegrams. */
  type: string;
  /** The device's own sequence number (device events only): unique per device, so a re-sent event is stored once. */
  device_seq: number | null;
  occurred_at: number;
  received_at: number;
  /** The event's fields as a JSON object. */
  data: string;
  report_id: number | null;
  life: EventLife;
  cleared_at: number | null;
  ack: EventAck;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

/** Each distinct error (id, time) of a PBX once, with the event made for it: a re-sent error makes no second event. */
export interface ReportErrorsTable {
  system_id: string;
  error_id: number;
  error_time: number;
  report_id: number;
  event_id: number;
}

export interface EventCommentsTable {
  id: Id;
  event_id: number;
  at: number;
  author: string;
  text: string;
}

export type Presence = 'unknown' | 'ok' | 'late' | 'missing';
export type TestState = 'unknown' | 'ok' | 'overdue' | 'outside-window';

/**
 * The device's row (migration 0013): its supervision (spec §5.3;
 * `next_check_at` is when it must be looked at again, so evaluation reads
 * only what is due) beside its replay window and history head, so that a
 * check-in writes one row (docs/centre-database.md "The device's check-in
 * row"). One per registered device; it goes when the device is removed.
 *
 * The replay window (spec §5.2), as `core/replay-window.ts` defines it: the
 * highest counter seen (-1 before the first) and a 63-bit mask of the 63
 * counters below it (bit i = `highest - 1 - i` seen), which fits a signed
 * 64-bit column unchanged. The mask exceeds 2^53, so it is read as text and
 * turned into a bigint by `replay-windows.ts`.
 */
export interface SupervisionStatesTable {
  device_id: string;
  presence: Presence;
  presence_since: number;
  test: TestState;
  test_since: number;
  last_check_in_at: number | null;
  last_function_test_at: number | null;
  /** When the function test becomes overdue (null: not supervised, or already overdue). */
  test_due_at: number | null;
  next_check_at: number;
  /** Named in every insert: the columns' default (0) would be a window that has seen counter 0, not the empty one. */
  highest: ColumnType<number, number, number>;
  mask: ColumnType<string, string, string>;
  /** The device's newest check-in (`check_ins.id`; null before its first): the head of its history (migration 0012). */
  last_check_in_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export type PortalRole = 'manager' | 'operator' | 'partner';
export type PartnerKind = '' | 'billing' | 'installer' | 'customer';

/** A person who logs in to the portal (migration 0005): the password only as a salted scrypt hash. */
export interface PortalAccountsTable {
  id: Id;
  name: string;
  display_name: string;
  role: PortalRole;
  /** For partners: who they are (billing service, installer, end customer); '' for the control room. */
  partner_kind: PartnerKind;
  password_hash: string;
  /** IP allowlist: CIDRs separated by spaces, '' = from anywhere. */
  networks: string;
  state: 'active' | 'disabled';
  created_at: number;
  created_by: string;
  updated_at: number;
  last_login_at: number | null;
  last_login_address: string | null;
}

/** A portal session: the cookie holds a random token, the row only its SHA-256. */
export interface PortalSessionsTable {
  token_hash: string;
  account_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  address: string;
  user_agent: string;
}

/** A person's rights on one device (users ↔ devices many-to-many); `rights` is a bit mask of `portal-rights.ts`. */
export interface PortalGrantsTable {
  id: Id;
  account_id: number;
  device_id: string;
  rights: number;
  /** IP allowlist of this grant: CIDRs separated by spaces, '' = wherever the account may be used. */
  networks: string;
  created_at: number;
  created_by: string;
}

/** Failed logins per key (`name:…`, `address:…`): how many in a row and until when further attempts are refused. */
export interface PortalLoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: number;
  blocked_until: number;
}

/** A key depot's user as the centre manages it (seed 002); the PIN itself is only in the depot, as a hash. */
export interface DepotUsersTable {
  device_id: string;
  name: string;
  /** Compartment numbers separated by commas, '' = all. */
  compartments: string;
  state: 'active' | 'removed';
  pin_set_at: number;
  pin_set_by: string;
  /** The device command that carries the last change to the depot. */
  command_id: number | null;
  created_at: number;
  updated_at: number;
}

/** What is in a depot's compartments: master data the depot does not know. */
export interface DepotCompartmentsTable {
  device_id: string;
  number: number;
  label: string;
  key_label: string;
  updated_at: number;
}

/** Customer data of a device beyond its master data (seed 000 "voir les données des clients"). */
export interface CustomerDetailsTable {
  device_id: string;
  contact: string;
  phone: string;
  email: string;
  billing_address: string;
  contract: string;
  notes: string;
  updated_at: number;
}

export type InvoiceStatus = 'open' | 'paid' | 'cancelled';

/** Invoices per device (seed 002); no payment provider is reached from here, the status is set by people. */
export interface InvoicesTable {
  id: Id;
  device_id: string;
  number: string;
  issued_at: number;
  period_start: number;
  period_end: number;
  amount_cents: number;
  currency: string;
  text: string;
  status: InvoiceStatus;
  created_at: number;
  created_by: string;
}

export type CommandState = 'queued' | 'delivered' | 'acknowledged' | 'cancelled';

/** A command for a device (docs/check-in-telegram.md §3.3), repeated in its acks until its `command` event arrives. */
export interface DeviceCommandsTable {
  id: Id;
  device_id: string;
  /** The id the device sees: rising per device. */
  command_id: number;
  type: string;
  /** The command's fields besides id and type, as JSON (a PIN only as its hash). */
  fields: string;
  state: CommandState;
  created_at: number;
  created_by: string;
  /** First ack that carried it. */
  delivered_at: number | null;
  /** Acks that carried it. */
  deliveries: Generated<number>;
  acknowledged_at: number | null;
  /** The device's outcome: done, refused or unsupported. */
  result: string | null;
  detail: string | null;
}

/** API tokens for scripts: the secret only as a salted scrypt hash. */
export interface ApiTokensTable {
  id: Id;
  name: string;
  hash: string;
  /** Comma-separated rights (read, operate, admin). */
  rights: string;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
}

/** A maintenance plan (migration 0007, docs/maintenance-plans.md): which devices, when, which steps. */
export interface MaintenancePlansTable {
  id: Id;
  name: string;
  /** JSON: `{"devices":[ids]}` or `{"customer":NAME}` (all PBXs of that customer). */
  selection: string;
  /** Cron expression of the window's start, read in `time_zone`. */
  window_cron: string;
  window_minutes: number;
  time_zone: string;
  /** JSON array of `YYYY-MM-DD`: no window starts on these dates (in `time_zone`). */
  holidays: string;
  /** JSON array of step names, in order. */
  steps: string;
  target_aps: string | null;
  /** `yes`: load the target APS when the PBX runs another. */
  load_aps: string;
  backup_retention: number;
  max_retries: number;
  service_user: string;
  created_at: number;
  created_by: string;
  /** At most this many LAN visits of the plan at once (migration 0010). */
  lan_concurrency: Generated<number>;
  /** Minutes the function-test step waits for the report; NULL: the default (migration 0011). */
  function_test_wait_minutes: number | null;
}

/**
 * One window of one plan in one time zone (migration 0010): claimed by the
 * centre process that runs it (`owner`, renewing `lease_until`), `ended`
 * when it is over, `missed` when no centre ran it in time.
 */
export interface MaintenanceWindowsTable {
  plan_id: number;
  time_zone: string;
  window_start: number;
  window_end: number;
  state: string;
  owner: string;
  lease_until: number;
  updated_at: number;
}

/** One visit of one device in one window; a cut visit resumes at `next_step` in the next window. */
export interface MaintenanceVisitsTable {
  id: Id;
  plan_id: number;
  device_id: string;
  /** The window it was started in. */
  window_start: number;
  state: string;
  /** Index into the plan's steps of the first unfinished step. */
  next_step: number;
  channel: string | null;
  started_at: number;
  ended_at: number | null;
  detail: string;
}

/** One attempt at one step of a visit (retries are rows of their own). */
export interface MaintenanceStepsTable {
  id: Id;
  visit_id: number;
  step: string;
  attempt: number;
  started_at: number;
  ended_at: number;
  outcome: string;
  output: string;
  bytes: number;
}

/** A LAN teleservice deactivation, re-activation or verification with its evidence (migration 0007). */
export interface LanDeactivationsTable {
  id: Id;
  device_id: string;
  action: string;
  at: number;
  actor: string;
  /** For a verification: `unreachable` (proved) or `reachable`; else `done`. */
  result: string;
  /** JSON: the probes and what they saw. */
  evidence: string;
}

/** How the centre reaches a PBX for maintenance visits (migration 0008); the secrets only sealed under the master key. */
export interface MaintenanceAccessTable {
  device_id: string;
  /** `host:port` of its LAN teleservice as the provider network reaches it; null: no LAN. */
  lan_address: string | null;
  /** How the provider side connects (`direct`, `bind:ADDR`, `netns:NAME`). */
  lan_route: string | null;
  /** The PBX's IMOD number the centre's modem dials; null: no modem. */
  modem_number: string | null;
  /** Callback index the PBX calls back on (its KDS); null: dial in with the PIN. */
  callback_index: number | null;
  service_user: string;
  /** JSON `{pin, password, callbackCode?}` sealed under the master key (context: the device id). */
  secrets_sealed: Buffer;
  updated_at: number;
}

/** The error memory a maintenance visit read (B1-1 in the PBX's log), filed at the centre. */
export interface MaintenanceErrorReportsTable {
  id: Id;
  device_id: string;
  visit_id: number | null;
  read_at: number;
  entries: number;
  /** JSON array of the entries as read. */
  records: string;
  /** The listing exactly as the PBX printed it. */
  text: string;
}

export interface SchemaTables {
  settings: SettingsTable;
  devices: DevicesTable;
  audit_trail: AuditTrailTable;
  check_ins: CheckInsTable;
  check_in_heads: CheckInHeadsTable;
  reject_counters: RejectCountersTable;
  reports: ReportsTable;
  events: EventsTable;
  report_errors: ReportErrorsTable;
  event_comments: EventCommentsTable;
  supervision_states: SupervisionStatesTable;
  portal_accounts: PortalAccountsTable;
  portal_sessions: PortalSessionsTable;
  portal_grants: PortalGrantsTable;
  portal_login_throttle: PortalLoginThrottleTable;
  depot_users: DepotUsersTable;
  depot_compartments: DepotCompartmentsTable;
  customer_details: CustomerDetailsTable;
  invoices: InvoicesTable;
  device_commands: DeviceCommandsTable;
  api_tokens: ApiTokensTable;
  maintenance_plans: MaintenancePlansTable;
  maintenance_visits: MaintenanceVisitsTable;
  maintenance_steps: MaintenanceStepsTable;
  lan_deactivations: LanDeactivationsTable;
  maintenance_access: MaintenanceAccessTable;
  maintenance_windows: MaintenanceWindowsTable;
  maintenance_error_reports: MaintenanceErrorReportsTable;
}

export type Database = SchemaTables;

export type DeviceRow = Selectable<DevicesTable>;
export type NewDeviceRow = Insertable<DevicesTable>;
export type DeviceUpdate = Updateable<DevicesTable>;
