import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { parseLineSpec } from '../adapters/bind-line.js';
import { archiveToFile, fetchEntries, isRevisorFailure } from '../revisor/revisor-client.js';
import { SessionClient } from '../clients/session-client.js';
import { ask } from './prompt.js';
import { CliError } from './cli-error.js';

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
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX')
    .option('--from <seq>', 'only entries from this sequence number on')
    .option('--out <file>', 'write the printout to this file instead of standard output')
    .action(async (opts: { connect: string; from?: string; out?: string }) => {
      const from = opts.from === undefined ? 0 : Number(opts.from);
      if (!Number.isInteger(from) || from < 0) throw new CliError(`--from wants a sequence number, got "${opts.from}"`, 2);
      await withSession(opts.connect, '', async (client) => {
        const entries = await fetchEntries(client, from);
        const text = entries.map((e) => `${formatEntry(e)}\n`).join('');
        if (opts.out) {
          writeFileSync(opts.out, text);
          process.stderr.write(`${entries.length} entries written to ${opts.out}; they stay in the PBX\n`);
        } else {
          process.stdout.write(text);
          process.stderr.write(`${entries.length} entries; they stay in the PBX\n`);
        }
      });
    });

  revisor
    .command('archive')
    .description('append the new entries to the archive FILE, then delete them in the PBX; any failure deletes nothing')
    .argument('<file>', 'the .arc archive of this PBX (the previous archive)')
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX')
    .option('--new', 'start the first archive of this PBX in FILE')
    .action(async (file: string, opts: { connect: string; new?: boolean }) => {
      await withSession(opts.connect, '; nothing was deleted in the PBX (run it again to archive)', async (client) => {
        const r = await archiveToFile(client, file, { create: opts.new === true });
        const lines = [`PBX ${r.begin.systemId} (${r.begin.pbxName}): previous archive ended at ${r.begin.mark ? `seq ${r.begin.mark.seq}` : '(none)'}`];
        if (r.repairedTornBytes) lines.push(`cut ${r.repairedTornBytes} bytes of an interrupted append from the end of ${file}`);
        if (r.skipped) lines.push(`${r.skipped} entries were already in ${file} from an interrupted run; not written again`);
        lines.push(r.committedSeq === undefined ? 'nothing to archive' : `${r.appended} entries appended to ${file}; PBX: ${r.note}`);
        process.stdout.write(lines.map((l) => `${l}\n`).join(''));
      });
    });
}

/** Connect, log in with asked credentials, run `body`, log out; failures become one-line CLI errors. */
async function withSession(connect: string, failureNote: string, body: (client: SessionClient) => Promise<void>): Promise<void> {
  const spec = parseLineSpec(connect);
  if (spec.kind !== 'tcp') throw new CliError('--connect takes tcp:HOST:PORT here', 2);
  const name = await ask('User: ', { env: 'HICOM_USER' });
  const password = await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' });
  let client: SessionClient | undefined;
  try {
    client = await SessionClient.connectTcp(spec.host, spec.port);
    await client.login(name, password);
    await body(client);
    await client.command('logout');
  } catch (err) {
    if (isRevisorFailure(err) || (err as NodeJS.ErrnoException).code) throw new CliError(`${(err as Error).message}${failureNote}`);
    throw err;
  } finally {
    client?.close();
  }
}
