import type { Command } from 'commander';
import { lineSpec } from './option-values.js';

export function register(program: Command): void {
  const kds = program.command('kds').description('customer database (KDS) files: create offline, open, show, save from a PBX');

  kds
    .command('new')
    .argument('<file>', 'KDS file to create')
    .description('generate an offline KDS (wizard); it has the default user table (SERVICE / default password) and loads only into a PBX in default state')
    .option('--type <type>', 'PBX type: OfficePoint, OfficeCom, OfficePro (else asked)')
    .option('--system-version <version>', 'system version, e.g. HE300M.00.001.01 (else asked)')
    .action(async (file: string, opts: { type?: string; systemVersion?: string }) => (await import('./kds-run.js')).kdsNew(file, opts));

  kds
    .command('open')
    .argument('<file>', 'KDS file')
    .description('open a KDS file with name and password (checked against the file\'s user table); print what it is')
    .action(async (file: string) => (await import('./kds-run.js')).kdsOpen(file));

  kds
    .command('show')
    .argument('<file>', 'KDS file')
    .argument('[prefix]', 'only items under this path, e.g. station.101')
    .description('print the KDS items your circle may read (name and password asked)')
    .action(async (file: string, prefix: string | undefined) => (await import('./kds-run.js')).kdsShow(file, prefix));

  kds
    .command('save')
    .argument('<file>', 'KDS file to write')
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX', lineSpec)
    .description('read the whole KDS and user table from a PBX and save it encrypted with your password')
    .action(async (file: string, opts: { connect: string }) => (await import('./kds-run.js')).kdsSave(file, opts));
}
