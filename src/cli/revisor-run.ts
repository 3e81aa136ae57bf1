import { existsSync } from 'node:fs';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { archiveToFile, fetchEntries, readExisting, RevisorError } from '../revisor/revisor-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { withAdminSession } from './admin-session.js';
import { checkReadable, checkWritable, writeOutputFile } from './user-files.js';

/** `hicom-sim revisor fetch`. */
export async function fetch(opts: { connect: string; from?: number; out?: string }): Promise<void> {
  if (opts.out !== undefined) checkWritable(opts.out, '--out');
  await withAdminSession(opts.connect, async (client) => {
    const entries = await fetchEntries(client, opts.from ?? 0);
    const text = entries.map((e) => `${formatEntry(e)}\n`).join('');
    if (opts.out !== undefined) {
      writeOutputFile(opts.out, text, '--out');
      process.stderr.write(`${entries.length} entries written to ${opts.out}; they stay in the PBX\n`);
    } else {
      process.stdout.write(text);
      process.stderr.write(`${entries.length} entries; they stay in the PBX\n`);
    }
  });
}

/** `hicom-sim revisor archive FILE`: the file is checked before name and password are asked. */
export async function archive(file: string, opts: { connect: string; new?: boolean }): Promise<void> {
  if (opts.new) checkWritable(file);
  else if (!existsSync(file)) throw new ExitError(`archive file ${file} does not exist; give --new to start the first archive of this PBX`, EXIT.usage);
  else {
    checkReadable(file);
    // Checked here as well as in the run: a file that is not this kind of archive is named before name and password are asked.
    try {
      readExisting(file);
    } catch (err) {
      if (err instanceof RevisorError) throw new ExitError(`${err.message}; nothing was deleted in the PBX (it was not even called)`, EXIT.usage);
      throw err;
    }
  }
  const note = '; nothing was deleted in the PBX (run it again to archive)';
  await withAdminSession(opts.connect, async (client) => {
    try {
      const r = await archiveToFile(client, file, { create: opts.new === true });
      const lines = [`PBX ${r.begin.systemId} (${r.begin.pbxName}): previous archive ended at ${r.begin.mark ? `seq ${r.begin.mark.seq}` : '(none)'}`];
      if (r.repairedTornBytes) lines.push(`cut ${r.repairedTornBytes} bytes of an interrupted append from the end of ${file}`);
      if (r.skipped) lines.push(`${r.skipped} entries were already in ${file} from an interrupted run; not written again`);
      lines.push(r.committedSeq === undefined ? 'nothing to archive' : `${r.appended} entries appended to ${file}; PBX: ${r.note}`);
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    } catch (err) {
      // The archive file given is not the right one: bad input, and the PBX still has every entry.
      if (err instanceof RevisorError) throw new ExitError(`${err.message}${note}`, EXIT.usage);
      throw err;
    }
  }, note);
}
