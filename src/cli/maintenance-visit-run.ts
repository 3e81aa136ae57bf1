import { join } from 'node:path';
import type { Command } from 'commander';
import type { Clock } from '../../core/clock.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { MasterKey } from '../storage/master-key.js';
import { RealClock } from '../adapters/real-clock.js';
import { LanConnectError, parseProviderRoute } from '../adapters/lan-connect.js';
import { ACCESS_RULES, MaintenanceAccess, MaintenanceAccessError, splitHostPort, type DeviceAccess } from '../database/maintenance-access.js';
import { MaintenanceRecords, type PlanRecord } from '../database/maintenance-records.js';
import { MaintenanceReports } from '../database/maintenance-reports.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ApsLibrary } from '../maintenance/aps-library.js';
import { ArchiveShelf } from '../maintenance/archive-shelf.js';
import { KdsBackupVault } from '../maintenance/kds-backup-vault.js';
import { MaintenanceRunner } from '../maintenance/maintenance-runner.js';
import { NetworkVisitLines } from '../maintenance/network-visit-lines.js';
import { SessionVisitor } from '../maintenance/session-visitor.js';
import { cliLogger, localActor, masterKey, openCentreDatabase } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';
import { ask } from './prompt.js';

/**
 * `maintenance access set|list|remove` and `maintenance run-now PLAN`
 * (docs/maintenance-plans.md): how the centre reaches each PBX, and a
 * plan's visits run now by the real visitor, printed per device and step.
 */

export const PIN_ENV = 'HICOM_PIN';
export const PASSWORD_ENV = 'HICOM_PASSWORD';
export const CALLBACK_CODE_ENV = 'HICOM_CALLBACK_CODE';

export interface AccessSetOptions extends CentreDbOptions {
  lan?: string;
  lanRoute: string;
  modem?: string;
  callbackIndex?: number;
  serviceUser: string;
}

export interface RunNowOptions extends CentreDbOptions {
  modem: string[];
  /** Default: the plan's. */
  lanConcurrency?: number;
  minutes?: number;
  apsDir?: string;
  json?: boolean;
}

/** Where a centre keeps what visits bring home, under its state directory. */
export function maintenanceDir(state: string): string {
  return join(state, 'centre', 'maintenance');
}

/** The options as an access record; the secrets are asked for (or read from the environment, or piped in) after they check out. */
async function accessOf(device: string, o: AccessSetOptions): Promise<DeviceAccess> {
  if (o.lan === undefined && o.modem === undefined) throw new ExitError('give --lan HOST:PORT, --modem NUMBER or both: how the centre reaches the PBX', EXIT.usage);
  const lan = o.lan === undefined ? undefined : splitHostPort(o.lan);
  if (o.lan !== undefined && !lan) throw new ExitError(`--lan ${JSON.stringify(o.lan)}: expected HOST:PORT (an IPv6 host in brackets), port 1–65535`, EXIT.usage);
  if (o.lanRoute.trim() === '') throw new ExitError('--lan-route is empty: direct, bind:ADDRESS or netns:NAME', EXIT.usage);
  try {
    parseProviderRoute(o.lanRoute);
  } catch (err) {
    if (err instanceof LanConnectError) throw new ExitError(`--lan-route: ${err.message}`, EXIT.usage);
    throw err;
  }
  if (o.modem !== undefined && !ACCESS_RULES.number.test(o.modem)) throw new ExitError(`--modem ${JSON.stringify(o.modem)}: expected the number to dial (digits, * and #)`, EXIT.usage);
  if (o.callbackIndex !== undefined && o.modem === undefined) throw new ExitError('--callback-index needs --modem: the callback is asked for on a dial-in', EXIT.usage);
  if (!ACCESS_RULES.serviceUser.test(o.serviceUser)) throw new ExitError(`--service-user ${JSON.stringify(o.serviceUser)} is not a PBX user name`, EXIT.usage);
  const pin = await ask(`customer PIN of ${device}: `, { secret: true, env: PIN_ENV });
  if (!ACCESS_RULES.pin.test(pin)) throw new ExitError('the customer PIN is 5 digits', EXIT.usage);
  const password = await ask(`password of ${o.serviceUser} on ${device}: `, { secret: true, env: PASSWORD_ENV });
  if (!ACCESS_RULES.password.test(password)) throw new ExitError('the password is 1–16 characters', EXIT.usage);
  const callbackCode = o.callbackIndex === undefined ? undefined : await ask(`callback code ${o.callbackIndex} of ${device}: `, { secret: true, env: CALLBACK_CODE_ENV });
  if (callbackCode !== undefined && !ACCESS_RULES.callbackCode.test(callbackCode)) throw new ExitError('the callback code is 1–6 digits', EXIT.usage);
  return {
    deviceId: device,
    ...(lan ? { lan: { ...lan, route: o.lanRoute } } : {}),
    ...(o.modem !== undefined ? { modem: { number: o.modem, ...(o.callbackIndex !== undefined ? { callbackIndex: o.callbackIndex } : {}) } } : {}),
    serviceUser: o.serviceUser,
    pin,
    password,
    ...(callbackCode !== undefined ? { callbackCode } : {}),
  };
}

export async function accessSet(program: Command, device: string, o: AccessSetOptions): Promise<void> {
  const access = await accessOf(device, o);
  const db = await openCentreDatabase(o, cliLogger(program, 'one-shot'));
  try {
    await new MaintenanceAccess(db, masterKey(o.state)).set(access, localActor(), Date.now());
  } catch (err) {
    if (err instanceof MaintenanceAccessError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  } finally {
    await db.close();
  }
  process.stdout.write(`${device}: ${describeAccess(access)}; PIN and password stored sealed\n`);
}

function describeAccess(a: Omit<DeviceAccess, 'pin' | 'password' | 'callbackCode'>): string {
  const ways = [
    ...(a.lan ? [`LAN ${a.lan.host}:${a.lan.port} (${a.lan.route})`] : []),
    ...(a.modem ? [`modem ${a.modem.number}${a.modem.callbackIndex !== undefined ? ` with callback ${a.modem.callbackIndex}` : ' with PIN'}`] : []),
  ];
  return `${ways.join(', else ')}, as ${a.serviceUser}`;
}

export async function accessList(program: Command, o: CentreDbOptions): Promise<void> {
  const db = await openCentreDatabase(o, cliLogger(program, 'one-shot'), { readOnly: true });
  try {
    const all = await new MaintenanceAccess(db, masterKey(o.state)).list();
    for (const a of all) process.stdout.write(`${a.deviceId}\t${describeAccess(a)}\n`);
    if (all.length === 0) process.stderr.write('no maintenance access stored (add one with: hicom-sim maintenance access set DEVICE …)\n');
  } finally {
    await db.close();
  }
}

export async function accessRemove(program: Command, device: string, o: CentreDbOptions): Promise<void> {
  const db = await openCentreDatabase(o, cliLogger(program, 'one-shot'));
  try {
    if (!(await new MaintenanceAccess(db, masterKey(o.state)).remove(device, localActor(), Date.now()))) throw new ExitError(`no maintenance access for ${device}`, EXIT.usage);
  } finally {
    await db.close();
  }
  process.stdout.write(`${device}: maintenance access removed\n`);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Whether the provider network is joined to the device's LAN: not after a `maintenance deactivate` that no reactivate undid. */
async function lanJoined(records: MaintenanceRecords, ids: readonly string[]): Promise<Set<string>> {
  const joined = new Set<string>();
  for (const id of ids) {
    const last = (await records.deactivations(id)).filter((d) => d.action !== 'verify').at(-1);
    if (last?.action !== 'deactivate') joined.add(id);
  }
  return joined;
}

/** What a centre process visits with: its database and master key, where visits bring things home, its lines and clock. */
export interface VisitorSetup {
  db: CentreDatabase;
  master: MasterKey;
  /** The centre's state directory (`-s`): KDS backups, archives, APS images under it. */
  state: string;
  apsDir?: string;
  lines: NetworkVisitLines;
  clock: Clock;
}

/**
 * The real visitor for these devices, with their access and LAN state as
 * the database has them now; `warn` hears of devices that cannot be reached
 * (no access stored, modem-only without a centre modem).
 */
export async function sessionVisitor(s: VisitorSetup, devices: readonly string[], warn: (text: string) => void): Promise<SessionVisitor> {
  const records = new MaintenanceRecords(s.db);
  const access = await new MaintenanceAccess(s.db, s.master).of([...devices]);
  const missing = devices.filter((d) => !access.has(d));
  if (missing.length > 0) warn(`no maintenance access for ${missing.join(', ')}: those visits fail at connect (maintenance access set DEVICE …)\n`);
  const needModem = [...access.values()].filter((a) => !a.lan).length;
  if (needModem > 0 && s.lines.modemCount === 0) warn(`${needModem} device(s) are reached only by modem and the centre has no modem for visits: those visits fail at connect\n`);
  const joined = await lanJoined(records, devices);
  const dir = maintenanceDir(s.state);
  return new SessionVisitor({
    access,
    lines: s.lines,
    lanJoined: (id) => joined.has(id),
    clock: s.clock,
    now: () => s.clock.now(),
    reports: new MaintenanceReports(s.db),
    vault: new KdsBackupVault(join(dir, 'kds-backups'), s.master),
    shelf: new ArchiveShelf(join(dir, 'archives')),
    apsImage: (v) => new ApsLibrary(s.apsDir ?? join(s.state, 'centre', 'aps')).image(v),
    functionTestPollMs: 2_000,
  });
}

/**
 * Run the plan's visits now: a window opens at once and lasts the plan's
 * window length (or `--minutes`), its cron and holidays aside; the runner's
 * rules hold inside it (step budgets, retries, busy skips, resume of a cut or
 * interrupted visit at its first unfinished step). Exit 0 when every device
 * was visited to the end, 1 when one failed, was cut or not visited.
 */
export async function runNow(program: Command, name: string, o: RunNowOptions): Promise<void> {
  const logger = cliLogger(program, 'one-shot');
  const master = masterKey(o.state);
  const db = await openCentreDatabase(o, logger);
  try {
    const records = new MaintenanceRecords(db);
    const plan: PlanRecord | undefined = await records.plan(name);
    if (!plan) throw new ExitError(`no maintenance plan ${name} (see maintenance plan list)`, EXIT.usage);
    const devices = await records.devicesOf(plan.selection);
    const lines = new NetworkVisitLines(o.modem);
    const clock = new RealClock();
    const visitor = await sessionVisitor({ db, master, state: o.state, apsDir: o.apsDir, lines, clock }, devices, (text) => process.stderr.write(text));
    const runner = new MaintenanceRunner({ clock, records, visitor, modems: Math.max(1, lines.modemCount), lanConcurrency: o.lanConcurrency ?? plan.lanConcurrency, logger: logger.child({ component: 'maintenance' }) });
    const start = clock.now();
    const window = { start, end: start + (o.minutes ?? plan.windowMinutes) * 60_000 };
    process.stderr.write(`plan ${plan.name}: ${devices.length} device(s), window now until ${iso(window.end)}\n`);
    // The real clock's timers do not hold the process (a finished command must end): this does while visits wait.
    const alive = setInterval(() => undefined, 60_000);
    const summary = await runner.runWindow(plan, window).finally(() => clearInterval(alive));
    const visits = (await records.history({ planId: plan.id, limit: 10_000 })).filter((v) => v.startedAt >= start || (v.endedAt ?? start) >= start);
    for (const id of devices) {
      const v = visits.find((x) => x.deviceId === id);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(v ? { device: id, ...v } : { device: id, state: 'not visited' })}\n`);
        continue;
      }
      if (!v) {
        process.stdout.write(`${id}: not visited\n`);
        continue;
      }
      process.stdout.write(`${id}: ${v.state}${v.channel ? ` over ${v.channel}` : ''}${v.detail ? ` (${v.detail})` : ''}\n`);
      for (const s of v.steps.filter((st) => st.startedAt >= start)) process.stdout.write(`  ${s.step}#${s.attempt} ${s.outcome} ${s.bytes} bytes: ${s.output.split('\n')[0]}\n`);
    }
    process.stderr.write(`${summary.done} done, ${summary.failed} failed, ${summary.cut} cut, ${summary.notVisited} not visited, ${summary.busySkips} busy skips\n`);
    if (summary.done !== summary.devices) throw new ExitError(`plan ${plan.name}: ${summary.devices - summary.done} of ${summary.devices} device(s) not visited to the end`, EXIT.failed);
  } finally {
    await db.close();
  }
}
