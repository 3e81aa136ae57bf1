import type { Command } from 'commander';
import { DeviceRegistryError, type Device, type DeviceSettings } from '../database/device-registry.js';
import type { DeviceKind, SupervisionMode } from '../database/schema.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { cliLogger, localActor, notifyServices, openDeviceRegistry, type OpenUse } from './centre-db-run.js';
import { MAINTENANCE_SCHEDULE_TOPIC } from '../database/maintenance-windows.js';
import type { CentreDbOptions } from './centre-options.js';
import { PLAN_TIME_ZONE } from './option-values.js';

/** The actions of `hicom-sim centre device …` (centre-device.ts declares them). A registry refusal (unknown or duplicate id, bad setting) is bad input: exit 2. */
export interface SettingsOptions {
  customer?: string;
  customerNumber?: string;
  site?: string;
  address?: string;
  interval?: number;
  grace?: number;
  missingAfter?: number;
  functionTestDays?: number;
  testWindow?: { startMin: number; endMin: number };
  supervise?: SupervisionMode;
  tz?: string;
}

function settingsFrom(o: SettingsOptions): Partial<DeviceSettings> {
  const s: Partial<DeviceSettings> = {};
  if (o.customer !== undefined) s.customerName = o.customer;
  if (o.customerNumber !== undefined) s.customerNumber = o.customerNumber;
  if (o.site !== undefined) s.siteName = o.site;
  if (o.address !== undefined) s.siteAddress = o.address;
  if (o.interval !== undefined) s.checkInIntervalMs = o.interval * 1000;
  if (o.grace !== undefined) s.graceMs = o.grace * 1000;
  if (o.missingAfter !== undefined) s.missingAfter = o.missingAfter;
  if (o.functionTestDays !== undefined) s.functionTestPeriodMs = o.functionTestDays * 24 * 3600_000;
  if (o.testWindow !== undefined) s.testWindow = o.testWindow;
  if (o.supervise !== undefined) s.supervise = o.supervise;
  // The registry checks the name and says why it refuses one.
  if (o.tz !== undefined) s.timeZone = o.tz === PLAN_TIME_ZONE ? null : o.tz;
  return s;
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** A device as `show` prints it; never its key. */
function describe(d: Device): string[] {
  return [
    `id: ${d.id}`,
    `kind: ${d.kind}`,
    `customer: ${d.customerName}`,
    `customer number: ${d.customerNumber}`,
    `site: ${d.siteName}`,
    `address: ${d.siteAddress}`,
    `check-in interval: ${d.checkInIntervalMs / 1000} s`,
    `grace: ${d.graceMs / 1000} s`,
    `missing after: ${d.missingAfter} intervals`,
    `function test: ${d.functionTestPeriodMs === null ? 'not supervised' : `every ${d.functionTestPeriodMs / 86_400_000} days`}`,
    `test window: ${d.testWindow ? `${hhmm(d.testWindow.startMin)}-${hhmm(d.testWindow.endMin)} UTC` : 'any time'}`,
    `supervised by: ${d.supervise === 'reports' ? 'its reports by modem (late after the function-test period + grace)' : 'its check-ins'}`,
    `maintenance time zone: ${d.timeZone ?? "the plan's"}`,
    `key version: ${d.keyVersion}`,
    `created: ${iso(d.createdAt)}`,
    `updated: ${iso(d.updatedAt)}`,
  ];
}

/** Run `fn` on the registry; registry refusals become one CLI line; the database is closed afterwards. */
async function withRegistry<T>(program: Command, opts: CentreDbOptions, fn: (r: Awaited<ReturnType<typeof openDeviceRegistry>>['registry']) => Promise<T>, use: OpenUse = {}): Promise<T> {
  const logger = cliLogger(program, 'one-shot');
  const { db, registry } = await openDeviceRegistry(opts, logger, use);
  try {
    const result = await fn(registry);
    // A device added, changed (its time zone) or removed moves the maintenance windows of the serving centres.
    if (!use.readOnly) await notifyServices(db, logger, { topic: MAINTENANCE_SCHEDULE_TOPIC });
    return result;
  } catch (err) {
    if (err instanceof DeviceRegistryError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  } finally {
    await db.close();
  }
}

export async function add(program: Command, id: string, opts: CentreDbOptions & SettingsOptions & { kind: DeviceKind }): Promise<void> {
  const { key } = await withRegistry(program, opts, (r) => r.add(id, opts.kind, settingsFrom(opts), localActor()));
  process.stdout.write(`${key.toString('base64')}\n`);
}

export async function list(program: Command, opts: CentreDbOptions & { json?: boolean }): Promise<void> {
  const devices = await withRegistry(program, opts, (r) => r.list(), { readOnly: true });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
  process.stdout.write('id                               kind       interval customer\n');
  for (const d of devices) process.stdout.write(`${d.id.padEnd(32)} ${d.kind.padEnd(10)} ${`${d.checkInIntervalMs / 1000} s`.padStart(8)} ${d.customerName}\n`);
  if (devices.length === 0) process.stdout.write('(no devices registered)\n');
}

export async function show(program: Command, id: string, opts: CentreDbOptions & { json?: boolean }): Promise<void> {
  const d = await withRegistry(program, opts, (r) => r.get(id), { readOnly: true });
  if (!d) throw new ExitError(`no device ${id}`, EXIT.usage);
  process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : `${describe(d).join('\n')}\n`);
}

export async function update(program: Command, id: string, opts: CentreDbOptions & SettingsOptions): Promise<void> {
  const settings = settingsFrom(opts);
  if (Object.keys(settings).length === 0) throw new ExitError('nothing to change: give at least one setting (see --help)', EXIT.usage);
  const d = await withRegistry(program, opts, (r) => r.update(id, settings, localActor()));
  process.stdout.write(`${describe(d).join('\n')}\n`);
}

export async function remove(program: Command, id: string, opts: CentreDbOptions): Promise<void> {
  if (!(await withRegistry(program, opts, (r) => r.remove(id, localActor())))) throw new ExitError(`no device ${id}`, EXIT.usage);
  process.stdout.write(`removed ${id}\n`);
}

export async function rekey(program: Command, id: string, opts: CentreDbOptions): Promise<void> {
  const { key } = await withRegistry(program, opts, (r) => r.rekey(id, localActor()));
  process.stdout.write(`${key.toString('base64')}\n`);
}
