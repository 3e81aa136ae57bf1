import { InvalidArgumentError, Option, type Command } from 'commander';
import { DeviceRegistryError, type Device, type DeviceSettings } from '../database/device-registry.js';
import type { DeviceKind } from '../database/schema.js';
import { addCentreDbOptions, cliLogger, localActor, openDeviceRegistry, type CentreDbOptions } from './centre-options.js';
import { CliError } from './cli-error.js';

interface SettingsOptions {
  customer?: string;
  customerNumber?: string;
  site?: string;
  address?: string;
  interval?: number;
  grace?: number;
  missingAfter?: number;
  functionTestDays?: number;
  testWindow?: { startMin: number; endMin: number };
}

function seconds(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 31 * 24 * 3600) throw new InvalidArgumentError('expected whole seconds');
  return Number(v);
}

function count(v: string): number {
  if (!/^[1-9]\d{0,3}$/.test(v)) throw new InvalidArgumentError('expected a whole number 1–9999');
  return Number(v);
}

function days(v: string): number {
  if (!/^[1-7]$/.test(v)) throw new InvalidArgumentError('expected 1–7 (spec §3.4: every 1, 2, … 7 days)');
  return Number(v);
}

/** `02:00-04:00` → minutes after midnight (UTC); the end may be before the start (wraps past midnight). */
function window(v: string): { startMin: number; endMin: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected HH:MM-HH:MM (UTC), e.g. 02:00-04:00');
  return { startMin: Number(m[1]) * 60 + Number(m[2]), endMin: Number(m[3]) * 60 + Number(m[4]) };
}

function addSettingsOptions(cmd: Command): Command {
  return cmd
    .option('--customer <name>', 'customer name')
    .option('--customer-number <n>', 'customer number')
    .option('--site <name>', 'site name')
    .option('--address <text>', 'site address')
    .option('--interval <s>', 'check-in interval in seconds (default 60)', seconds)
    .option('--grace <s>', 'late after interval + grace, in seconds (default 30)', seconds)
    .option('--missing-after <k>', 'missing after k intervals without a check-in (default 5)', count)
    .option('--function-test-days <n>', 'a function test is expected every n days (1–7)', days)
    .option('--test-window <HH:MM-HH:MM>', 'the function test is expected in this window (UTC)', window);
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
    `key version: ${d.keyVersion}`,
    `created: ${iso(d.createdAt)}`,
    `updated: ${iso(d.updatedAt)}`,
  ];
}

/** Run `fn` on the registry; registry refusals become one CLI line; the database is closed afterwards. */
async function withRegistry<T>(program: Command, opts: CentreDbOptions, fn: (r: Awaited<ReturnType<typeof openDeviceRegistry>>['registry']) => Promise<T>): Promise<T> {
  const { db, registry } = await openDeviceRegistry(opts, cliLogger(program));
  try {
    return await fn(registry);
  } catch (err) {
    if (err instanceof DeviceRegistryError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

/** `hicom-sim centre device add|list|show|update|remove|rekey`. */
export function registerDeviceCommands(centre: Command, program: Command): void {
  const device = centre.command('device').description('the device registry: PBXs and key depots that check in over UDP (spec §5.2)');
  addSettingsOptions(
    addCentreDbOptions(
      device
        .command('add <id>')
        .description('register a device; prints its new key (base64, one line) and nothing else on stdout')
        .addOption(new Option('--kind <kind>', 'device family').choices(['pbx', 'key-depot']).makeOptionMandatory()),
    ),
  ).action(async (id: string, opts: CentreDbOptions & SettingsOptions & { kind: DeviceKind }) => {
    const { key } = await withRegistry(program, opts, (r) => r.add(id, opts.kind, settingsFrom(opts), localActor()));
    process.stdout.write(`${key.toString('base64')}\n`);
  });
  addCentreDbOptions(device.command('list').description('every registered device').option('--json', 'machine-readable output')).action(async (opts: CentreDbOptions & { json?: boolean }) => {
    const devices = await withRegistry(program, opts, (r) => r.list());
    if (opts.json) return void process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
    process.stdout.write('id                               kind       interval customer\n');
    for (const d of devices) process.stdout.write(`${d.id.padEnd(32)} ${d.kind.padEnd(10)} ${`${d.checkInIntervalMs / 1000} s`.padStart(8)} ${d.customerName}\n`);
    if (devices.length === 0) process.stdout.write('(no devices registered)\n');
  });
  addCentreDbOptions(device.command('show <id>').description("one device's settings (never its key)").option('--json', 'machine-readable output')).action(async (id: string, opts: CentreDbOptions & { json?: boolean }) => {
    const d = await withRegistry(program, opts, (r) => r.get(id));
    if (!d) throw new CliError(`no device ${id}`);
    process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : `${describe(d).join('\n')}\n`);
  });
  addSettingsOptions(addCentreDbOptions(device.command('update <id>').description("change a device's settings"))).action(async (id: string, opts: CentreDbOptions & SettingsOptions) => {
    const settings = settingsFrom(opts);
    if (Object.keys(settings).length === 0) throw new CliError('nothing to change: give at least one setting (see --help)', 2);
    const d = await withRegistry(program, opts, (r) => r.update(id, settings, localActor()));
    process.stdout.write(`${describe(d).join('\n')}\n`);
  });
  addCentreDbOptions(device.command('remove <id>').description('remove a device (its history stays)')).action(async (id: string, opts: CentreDbOptions) => {
    if (!(await withRegistry(program, opts, (r) => r.remove(id, localActor())))) throw new CliError(`no device ${id}`);
    process.stdout.write(`removed ${id}\n`);
  });
  addCentreDbOptions(device.command('rekey <id>').description('give a device a new key; prints it (base64, one line) and nothing else on stdout')).action(async (id: string, opts: CentreDbOptions) => {
    const { key } = await withRegistry(program, opts, (r) => r.rekey(id, localActor()));
    process.stdout.write(`${key.toString('base64')}\n`);
  });
}
