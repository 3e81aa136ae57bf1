import type { Duplex } from 'node:stream';
import type { Command } from 'commander';
import { connectLine } from '../adapters/connect-line.js';
import { RealClock } from '../adapters/real-clock.js';
import { StreamLine } from '../adapters/stream-line.js';
import { Centre } from '../centre/centre.js';
import { importCentreDirectory } from '../centre/centre-import.js';
import { CentreReadError } from '../centre/centre-directory.js';
import { COMMAND_TIMEOUT_MS } from '../centre/centre-receiver.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';
import { functionTestStatus } from '../centre/pbx-status.js';
import { openEventBus } from '../database/open-event-bus.js';
import { RejectCounters } from '../database/reject-counters.js';
import { ReportArchive } from '../database/report-archive.js';
import { SupervisionStates } from '../database/supervision-states.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { cliLogger, openCentreDatabase } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';
import { untilSignal } from './until-signal.js';

export type ReceiveOptions = CentreDbOptions & { modem: string; dir?: string };
export type StatusOptions = CentreDbOptions & { overdueDays?: number; json?: boolean; dir?: string };
export type ImportOptions = CentreDbOptions;

const DAY_MS = 24 * 3600_000;
/** What `--dir` users of earlier versions are told: the files are history now, the database is the store. */
const DIR_MOVED = 'the centre keeps its reports in its database now (--db, -s); bring the files of --dir in once with "hicom-sim centre import DIR"';

function date(ms: number | null | undefined): string {
  return ms === undefined || ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * Whether the far end is a modem: it answers ATZ with OK within one command
 * timeout. Asked before the receiver starts, so an HTTP server or a plain
 * echo is named in one line instead of being retried for ever.
 */
function answersAtz(stream: Duplex): Promise<'ok' | 'silent' | 'closed'> {
  return new Promise((resolve) => {
    let text = '';
    const done = (answer: 'ok' | 'silent' | 'closed'): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('close', onClose);
      resolve(answer);
    };
    const onData = (bytes: Buffer): void => {
      text += bytes.toString('latin1');
      if (/(^|\r|\n)OK\r?\n/.test(text)) done('ok');
    };
    const onClose = (): void => done('closed');
    const timer = setTimeout(() => done('silent'), COMMAND_TIMEOUT_MS);
    stream.on('data', onData);
    stream.on('close', onClose);
    stream.write('ATZ\r');
  });
}

/** `hicom-sim centre receive`: options and the database first, then the modem is asked ATZ before the receiver starts. */
export async function receive(program: Command, opts: ReceiveOptions): Promise<void> {
  if (opts.dir !== undefined) throw new ExitError(DIR_MOVED, EXIT.usage);
  const logger = cliLogger(program);
  const clock = new RealClock();
  const db = await openCentreDatabase(opts, logger);
  let stream: Duplex;
  try {
    stream = await connectLine(opts.modem);
    const answer = await answersAtz(stream);
    if (answer !== 'ok') {
      stream.destroy();
      const what = answer === 'closed' ? 'closed the connection instead of answering ATZ' : `does not answer ATZ with OK within ${COMMAND_TIMEOUT_MS / 1000} s`;
      throw new ExitError(`${opts.modem} ${what}: is it a modem's DTE port?`, EXIT.connection);
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  const bus = await openEventBus(db, clock, logger);
  const line = new StreamLine(stream, opts.modem);
  const c = new Centre(clock, new DatabaseReportStore(db, { bus, logger }), logger);
  const receiver = c.attach(line, opts.modem);
  const description = db.description;
  c.onEvent((e) => {
    if (e.type === 'ready') process.stdout.write(`receiving on ${opts.modem}, reports into ${description}\n`);
    if (e.type === 'stored') process.stdout.write(`${e.duplicate ? 're-acknowledged' : 'stored'} report ${e.seq} of ${e.systemId} (${e.records} errors)\n`);
  });
  await untilSignal((stop) => line.onClose(stop));
  const lost = receiver.state === 'closed';
  c.close();
  await bus.close();
  await db.close();
  process.stdout.write(`centre stopped (${receiver.received} reports)\n`);
  if (lost) throw new ExitError(`modem connection ${opts.modem} closed`, EXIT.connection);
}

/** `hicom-sim centre status`: read only. */
export async function status(program: Command, opts: StatusOptions): Promise<void> {
  if (opts.dir !== undefined) throw new ExitError(DIR_MOVED, EXIT.usage);
  const db = await openCentreDatabase(opts, cliLogger(program, 'one-shot'), { readOnly: true });
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
}

/** `hicom-sim centre import DIR`: read-only on the files; a file that needs a look exits 2 after the rest is in. */
export async function importDir(program: Command, dir: string, opts: ImportOptions): Promise<void> {
  const db = await openCentreDatabase(opts, cliLogger(program, 'one-shot'));
  let files;
  try {
    files = await importCentreDirectory(db, dir);
  } catch (err) {
    if (err instanceof CentreReadError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  } finally {
    await db.close();
  }
  for (const f of files) process.stdout.write(`${f.systemId}: ${f.reports} report(s) read, ${f.stored} new, ${f.reports - f.stored} already in the database${f.problem ? ' — NEEDS A LOOK' : ''}\n`);
  if (files.length === 0) process.stdout.write(`no centre files (*.hcs) in ${dir}\n`);
  const problems = files.filter((f) => f.problem);
  // Whatever was whole is in; the exit code says a file needs a look (it is left exactly as it was).
  if (problems.length === 1) throw new ExitError(problems[0].problem!, EXIT.usage);
  if (problems.length > 1) throw new ExitError(`${problems.length} centre files need a look, first: ${problems[0].problem}`, EXIT.usage);
}
