import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { connectLine } from '../adapters/connect-line.js';
import { StreamLine } from '../adapters/stream-line.js';
import { Centre } from '../centre/centre.js';
import { CentreStore } from '../centre/centre-store.js';
import { CentreReadError, describeProblem } from '../centre/centre-directory.js';
import { createLogger } from '../logger.js';
import { RealClock } from '../adapters/real-clock.js';
import { registerDeviceCommands } from './centre-device.js';
import { registerServeCommand } from './centre-serve.js';
import { registerTokenCommands } from './centre-token.js';
import { CliError } from './cli-error.js';
import { untilSignal } from './until-signal.js';

const DAY_MS = 24 * 3600_000;

function date(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function register(program: Command): void {
  const centre = program.command('centre').description('the remote service centre: receive error reports, supervise the fleet');
  registerDeviceCommands(centre, program);
  registerTokenCommands(centre, program);
  registerServeCommand(centre, program);
  centre
    .command('receive')
    .description('put a modem into receive mode (ATZ, ATS0=1) and store every report into one file per PBX')
    .requiredOption('--modem <spec>', "the centre modem's DTE: tcp:HOST:PORT (e.g. the lab's centre modem), serial:DEVICE[@BAUD] or pty:PATH")
    .requiredOption('--dir <dir>', 'directory of the per-PBX files (<system id>.hcs)')
    .action(async (opts: { modem: string; dir: string }) => {
      const logger = createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel);
      let store: CentreStore;
      let stream;
      try {
        store = CentreStore.open(opts.dir, { logger });
        stream = await connectLine(opts.modem);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const line = new StreamLine(stream, opts.modem);
      const c = new Centre(new RealClock(), store, logger);
      const receiver = c.attach(line, opts.modem);
      c.onEvent((e) => {
        if (e.type === 'ready') process.stdout.write(`receiving on ${opts.modem}, files in ${opts.dir}\n`);
        if (e.type === 'stored') process.stdout.write(`${e.duplicate ? 're-acknowledged' : 'stored'} report ${e.seq} of ${e.systemId} (${e.records} errors)\n`);
      });
      await untilSignal((stop) => line.onClose(stop));
      const lost = receiver.state === 'closed';
      c.close();
      process.stdout.write(`centre stopped (${receiver.received} reports)\n`);
      if (lost) throw new CliError(`modem connection ${opts.modem} closed`);
    });
  centre
    .command('status')
    .description('known PBXs, their last report and whose function test is overdue')
    .requiredOption('--dir <dir>', 'directory of the per-PBX files')
    .option('--overdue-days <n>', 'function-test interval in days (1–7) to supervise', (v) => {
      if (!/^[1-7]$/.test(v)) throw new CliError(`--overdue-days: ${v} is not 1–7`);
      return Number(v);
    })
    .option('--json', 'machine-readable output')
    .action((opts: { dir: string; overdueDays?: number; json?: boolean }) => {
      let store: CentreStore;
      try {
        store = CentreStore.openReadOnly(opts.dir);
      } catch (err) {
        if (err instanceof CentreReadError) throw new CliError(err.message, 2);
        throw err;
      }
      const status = store.status(Date.now(), { functionTestIntervalMs: opts.overdueDays === undefined ? undefined : opts.overdueDays * DAY_MS });
      const problems = store.problems().map((read) => ({ systemId: read.systemId, file: read.file, damage: read.damage, tornTail: read.tornTail, message: describeProblem(read)! }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ systems: status, problems }, null, 2)}\n`);
      } else {
        process.stdout.write('system id         reports errors last report          last function test   overdue\n');
        for (const s of status) {
          process.stdout.write(`${s.systemId.padEnd(17)} ${String(s.reports).padStart(7)} ${String(s.errors).padStart(6)} ${date(s.lastReceivedAt)}  ${date(s.lastFunctionTestAt).padEnd(20)} ${s.functionTestOverdue ? 'OVERDUE' : opts.overdueDays ? 'no' : '-'}\n`);
        }
        for (const p of problems) process.stdout.write(`${p.systemId}: ${p.damage.length ? 'DAMAGED' : 'TORN TAIL'} — ${p.message}\n`);
        if (status.length === 0 && problems.length === 0) process.stdout.write('(no reports yet)\n');
      }
      // Status only reads: the files stay byte for byte as they are, and the exit code says they need a look.
      if (problems.length === 1) throw new CliError(problems[0].message, 2);
      if (problems.length > 1) throw new CliError(`${problems.length} centre files need attention (listed above), first: ${problems[0].message}`, 2);
    });
}
