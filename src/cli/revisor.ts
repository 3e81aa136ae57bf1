import type { Command } from 'commander';
import { lineSpec, numberIn } from './option-values.js';

/**
 * `hicom-sim revisor fetch|archive`: the revisor's tools of spec §3.8 over
 * an admin port. Name and password are asked (or HICOM_USER /
 * HICOM_PASSWORD); the user needs Revision rights.
 */
export function register(program: Command): void {
  const revisor = program.command('revisor').description('fetch or archive the protocol log of a PBX (Revision rights; docs/session-protocol.md)');

  revisor
    .command('fetch')
    .description('print the protocol-log entries; they stay in the PBX')
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX', lineSpec)
    .option('--from <seq>', 'only entries from this sequence number on', numberIn(0, Number.MAX_SAFE_INTEGER))
    .option('--out <file>', 'write the printout to this file instead of standard output')
    .action(async (opts: { connect: string; from?: number; out?: string }) => (await import('./revisor-run.js')).fetch(opts));

  revisor
    .command('archive')
    .description('append the new entries to the archive FILE, then delete them in the PBX; any failure deletes nothing')
    .argument('<file>', 'the .arc archive of this PBX (the previous archive)')
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX', lineSpec)
    .option('--new', 'start the first archive of this PBX in FILE')
    .action(async (file: string, opts: { connect: string; new?: boolean }) => (await import('./revisor-run.js')).archive(file, opts));
}
