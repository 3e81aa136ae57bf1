import type { Command } from 'commander';
import { connectLine } from '../adapters/connect-line.js';
import { RealClock } from '../adapters/real-clock.js';
import { StreamLine } from '../adapters/stream-line.js';
import { Centre } from '../centre/centre.js';
import { importCentreDirectory } from '../centre/centre-import.js';
import { CentreReadError } from '../centre/centre-directory.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';
import { functionTestStatus } from '../centre/pbx-status.js';
import { openEventBus } from '../database/open-event-bus.js';
import { RejectCounters } from '../database/reject-counters.js';
import { ReportArchive } from '../database/report-archive.js';
import { SupervisionStates } from '../database/supervision-states.js';
import { addCentreDbOptions, cliLogger, openCentreDatabase, type CentreDbOptions } from './centre-options.js';
import { registerDeviceCommands } from './centre-device.js';
import { registerPersonCommands } from './centre-person.js';
import { registerServeCommand } from './centre-serve.js';
import { registerTokenCommands } from './centre-token.js';
import { CliError } from './cli-error.js';
import { untilSignal } from './until-signal.js';

const DAY_MS = 24 * 3600_000;
/** What `--dir` users of earlier versions are told: the files are history now, the database is the store. */
const DIR_MOVED = 'the centre keeps its reports in its database now (--db, -s); bring the files of --dir in once with "hicom-sim centre import DIR"';

function date(ms: number | null | undefined): string {
  return ms === undefined || ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function register(program: Command): void {
  const centre = program.command('centre').description('the remote service centre: its database, devices, receive mode, supervision and service');
  registerDeviceCommands(centre, program);
  registerTokenCommands(centre, program);
  registerPersonCommands(centre, program);
  registerServeCommand(centre, program);

  addCentreDbOptions(
    centre
      .command('receive')
      .description('put a modem into receive mode (ATZ, ATS0=1) and store every report in the centre database, acknowledged only after its commit')
      .requiredOption('--modem <spec>', "the centre modem's DTE: tcp:HOST:PORT (e.g. the lab's centre modem), serial:DEVICE[@BAUD] or pty:PATH")
      .option('--dir <dir>', '(earlier versions) — see "centre import"'),
  ).action(async (opts: CentreDbOptions & { modem: string; dir?: string }) => {
    if (opts.dir !== undefined) throw new CliError(DIR_MOVED, 2);
    const logger = cliLogger(program);
    const clock = new RealClock();
    const db = await openCentreDatabase(opts, logger);
    let stream;
    try {
      stream = await connectLine(opts.modem);
    } catch (err) {
      await db.close();
      throw new CliError((err as Error).message);
    }
    const bus = await openEventBus(db, clock, logger);
    const line = new StreamLine(stream, opts.modem);
    const c = new Centre(clock, new DatabaseReportStore(db, { bus, logger }), logger);
    const receiver = c.attach(line, opts.modem);
    c.onEvent((e) => {
      if (e.type === 'ready') process.stdout.write(`receiving on ${opts.modem}, reports into ${db.description}\n`);
      if (e.type === 'stored') process.stdout.write(`${e.duplicate ? 're-acknowledged' : 'stored'} report ${e.seq} of ${e.systemId} (${e.records} errors)\n`);
    });
    await untilSignal((stop) => line.onClose(stop));
    const lost = receiver.state === 'closed';
    c.close();
    await bus.close();
    await db.close();
    process.stdout.write(`centre stopped (${receiver.received} reports)\n`);
    if (lost) throw new CliError(`modem connection ${opts.modem} closed`);
  });

  addCentreDbOptions(
    centre
      .command('status')
      .description('the fleet from the database: every device with its supervision state and rejected telegrams, every PBX with its reports')
      .option('--overdue-days <n>', 'also judge the function test of PBXs that only report by modem, against this interval in days (1–7)', (v) => {
        if (!/^[1-7]$/.test(v)) throw new CliError(`--overdue-days: ${v} is not 1–7`, 2);
        return Number(v);
      })
      .option('--dir <dir>', '(earlier versions) — see "centre import"')
      .option('--json', 'machine-readable output'),
  ).action(async (opts: CentreDbOptions & { overdueDays?: number; json?: boolean; dir?: string }) => {
    if (opts.dir !== undefined) throw new CliError(DIR_MOVED, 2);
    const db = await openCentreDatabase(opts, cliLogger(program));
    try {
      const now = Date.now();
      // Read only: the registry is not opened (it would record a master key), just its rows.
      const devices = new Map((await db.kysely.selectFrom('devices').select(['id', 'kind']).execute()).map((d) => [d.id, d.kind]));
      const states = await new SupervisionStates(db).list();
      const rejects = await new RejectCounters(db).list();
      const systems = (await new ReportArchive(db).summaries()).map((s) => functionTestStatus(s, now, { functionTestIntervalMs: opts.overdueDays === undefined ? undefined : opts.overdueDays * DAY_MS }));
      const rejectedSince = (id: string, since: number | null) => rejects.filter((r) => r.deviceId === id && r.lastAt > (since ?? 0));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ devices: states.map((s) => ({ ...s, kind: devices.get(s.deviceId), rejected: Object.fromEntries(rejectedSince(s.deviceId, s.lastCheckInAt).map((r) => [r.reason, r.count])) })), rejects, systems }, null, 2)}\n`);
        return;
      }
      if (states.length > 0) {
        process.stdout.write('device                           kind       presence  test            last check-in        rejected since\n');
        for (const s of states) {
          const r = rejectedSince(s.deviceId, s.lastCheckInAt);
          // A device whose telegrams are refused is not "offline": say what is wrong with them.
          const presence = r.length > 0 && s.presence !== 'ok' ? 'REJECTING' : s.presence.toUpperCase() === 'OK' ? 'ok' : s.presence.toUpperCase();
          process.stdout.write(`${s.deviceId.padEnd(32)} ${(devices.get(s.deviceId) ?? '?').padEnd(10)} ${presence.padEnd(9)} ${s.test.padEnd(15)} ${date(s.lastCheckInAt).padEnd(20)} ${r.map((x) => `${x.reason} ×${x.count}`).join(', ') || '-'}\n`);
        }
      }
      const strangers = rejects.filter((r) => !devices.has(r.deviceId));
      for (const r of strangers) process.stdout.write(`rejected: ${r.count} telegram(s) from ${r.deviceId || '(no readable id)'}: ${r.reason}, last ${date(r.lastAt)} from ${r.lastSource}\n`);
      if (systems.length > 0) {
        process.stdout.write('system id         reports errors last report          last function test   overdue\n');
        for (const s of systems) {
          process.stdout.write(`${s.systemId.padEnd(17)} ${String(s.reports).padStart(7)} ${String(s.errors).padStart(6)} ${date(s.lastReceivedAt)}  ${date(s.lastFunctionTestAt).padEnd(20)} ${s.functionTestOverdue ? 'OVERDUE' : opts.overdueDays ? 'no' : '-'}\n`);
        }
      }
      if (states.length === 0 && systems.length === 0 && strangers.length === 0) process.stdout.write('(no devices and no reports yet)\n');
    } finally {
      await db.close();
    }
  });

  addCentreDbOptions(
    centre
      .command('import <dir>')
      .description('bring the per-PBX files of earlier versions (<system id>.hcs) into the database; read-only on the files, safe to run again'),
  ).action(async (dir: string, opts: CentreDbOptions) => {
    const db = await openCentreDatabase(opts, cliLogger(program));
    let files;
    try {
      files = await importCentreDirectory(db, dir);
    } catch (err) {
      if (err instanceof CentreReadError) throw new CliError(err.message, 2);
      throw err;
    } finally {
      await db.close();
    }
    for (const f of files) process.stdout.write(`${f.systemId}: ${f.reports} report(s) read, ${f.stored} new, ${f.reports - f.stored} already in the database${f.problem ? ' — NEEDS A LOOK' : ''}\n`);
    if (files.length === 0) process.stdout.write(`no centre files (*.hcs) in ${dir}\n`);
    const problems = files.filter((f) => f.problem);
    // Whatever was whole is in; the exit code says a file needs a look (it is left exactly as it was).
    if (problems.length === 1) throw new CliError(problems[0].problem!, 2);
    if (problems.length > 1) throw new CliError(`${problems.length} centre files need a look, first: ${problems[0].problem}`, 2);
  });
}
