import type { Command } from 'commander';
import type { ImportOptions, ReceiveOptions, StatusOptions } from './centre-run.js';
import { registerDeviceCommands } from './centre-device.js';
import { addCentreDbOptions } from './centre-options.js';
import { registerPersonCommands } from './centre-person.js';
import { registerServeCommand } from './centre-serve.js';
import { registerTokenCommands } from './centre-token.js';
import { lineSpec, numberIn } from './option-values.js';

export function register(program: Command): void {
  const run = (): Promise<typeof import('./centre-run.js')> => import('./centre-run.js');
  const centre = program.command('centre').description('the remote service centre: its database, devices, receive mode, supervision and service');
  registerDeviceCommands(centre, program);
  registerTokenCommands(centre, program);
  registerPersonCommands(centre, program);
  registerServeCommand(centre, program);

  addCentreDbOptions(
    centre
      .command('receive')
      .description('put a modem into receive mode (ATZ, ATS0=1) and store every report in the centre database, acknowledged only after its commit')
      .requiredOption('--modem <spec>', "the centre modem's DTE: tcp:HOST:PORT (e.g. the lab's centre modem), serial:DEVICE[@BAUD] or pty:PATH", lineSpec)
      .option('--dir <dir>', '(earlier versions) — see "centre import"'),
  ).action(async (opts: ReceiveOptions) => (await run()).receive(program, opts));

  addCentreDbOptions(
    centre
      .command('status')
      .description('the fleet from the database: every device with its supervision state and rejected telegrams, every PBX with its reports')
      .option('--overdue-days <n>', 'also judge the function test of PBXs that only report by modem, against this interval in days (1–7)', numberIn(1, 7))
      .option('--dir <dir>', '(earlier versions) — see "centre import"')
      .option('--json', 'machine-readable output'),
  ).action(async (opts: StatusOptions) => (await run()).status(program, opts));

  addCentreDbOptions(
    centre
      .command('import <dir>')
      .description('bring the per-PBX files of earlier versions (<system id>.hcs) into the database; read-only on the files, safe to run again'),
  ).action(async (dir: string, opts: ImportOptions) => (await run()).importDir(program, dir, opts));
}
