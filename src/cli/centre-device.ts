import { InvalidArgumentError, Option, type Command } from 'commander';
import type { DeviceKind } from '../database/schema.js';
import type { SettingsOptions } from './centre-device-run.js';
import { addCentreDbOptions, type CentreDbOptions } from './centre-options.js';
import { PLAN_TIME_ZONE } from './option-values.js';

/*
 * `hicom-sim centre device …`: declared here cheaply; the database layer
 * loads (centre-device-run.ts) only when one of them runs.
 */

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
    .option('--test-window <HH:MM-HH:MM>', 'the function test is expected in this window (UTC)', window)
    .addOption(
      new Option('--supervise <by>', 'what presence is judged by: checkin (UDP check-ins, the default) or reports (a PBX without the LAN option: late after the function-test period + grace without a report by modem)').choices(['checkin', 'reports']),
    )
    .option('--tz <zone>', `IANA time zone its maintenance windows are read in, e.g. Europe/Berlin ("${PLAN_TIME_ZONE}": the plan's, the default)`);
}

/** `hicom-sim centre device add|list|show|update|remove|rekey`. */
export function registerDeviceCommands(centre: Command, program: Command): void {
  const run = (): Promise<typeof import('./centre-device-run.js')> => import('./centre-device-run.js');
  const device = centre.command('device').description('the device registry: PBXs and key depots that check in over UDP (spec §5.2)');
  addSettingsOptions(
    addCentreDbOptions(
      device
        .command('add <id>')
        .description('register a device; prints its new key (base64, one line) and nothing else on stdout')
        .addOption(new Option('--kind <kind>', 'device family').choices(['pbx', 'key-depot']).makeOptionMandatory()),
    ),
  ).action(async (id: string, opts: CentreDbOptions & SettingsOptions & { kind: DeviceKind }) => (await run()).add(program, id, opts));
  addCentreDbOptions(device.command('list').description('every registered device').option('--json', 'machine-readable output')).action(async (opts: CentreDbOptions & { json?: boolean }) => (await run()).list(program, opts));
  addCentreDbOptions(device.command('show <id>').description("one device's settings (never its key)").option('--json', 'machine-readable output')).action(async (id: string, opts: CentreDbOptions & { json?: boolean }) => (await run()).show(program, id, opts));
  addSettingsOptions(addCentreDbOptions(device.command('update <id>').description("change a device's settings"))).action(async (id: string, opts: CentreDbOptions & SettingsOptions) => (await run()).update(program, id, opts));
  addCentreDbOptions(device.command('remove <id>').description('remove a device (its history stays)')).action(async (id: string, opts: CentreDbOptions) => (await run()).remove(program, id, opts));
  addCentreDbOptions(device.command('rekey <id>').description('give a device a new key; prints it (base64, one line) and nothing else on stdout')).action(async (id: string, opts: CentreDbOptions) => (await run()).rekey(program, id, opts));
}
