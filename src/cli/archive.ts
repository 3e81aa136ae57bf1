import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { ArchiveError, verifyArchive, type VerifyResult } from '../revisor/archive-file.js';
import { CliError } from './cli-error.js';

/**
 * `hicom-sim archive view|verify FILE`: the offline archive tools of spec
 * §3.8/§4.11 — no PBX, no password. Format: docs/archive-format.md.
 */
export function register(program: Command): void {
  const archive = program.command('archive').description('protocol-log archives (.arc) of the revisor (docs/archive-format.md)');
  archive
    .command('view')
    .description('print an archive as plain text (paged on a terminal)')
    .argument('<file>', 'a .arc archive')
    .option('--from <date>', 'only entries on or after this day (YYYY-MM-DD, UTC)')
    .option('--to <date>', 'only entries on or before this day (YYYY-MM-DD, UTC)')
    .action(async (file: string, opts: { from?: string; to?: string }) => {
      const r = load(file);
      if (!r.header) throw new CliError(`${file}: ${r.problems[0].message}`);
      const from = opts.from === undefined ? -Infinity : day(opts.from, '--from');
      const to = opts.to === undefined ? Infinity : day(opts.to, '--to') + 86_400_000 - 1;
      const lines = [
        `Protocol archive of ${r.header.pbxName} (system ${r.header.systemId}), created ${r.header.created}`,
        '',
        ...r.entries.filter((e) => e.time >= from && e.time <= to).map(formatEntry),
      ];
      await page(`${lines.join('\n')}\n`);
      if (!r.ok) process.stderr.write(`warning: ${file} does not verify (${r.problems.length} problem(s)); run "hicom-sim archive verify ${file}"\n`);
    });
  archive
    .command('verify')
    .description('check header, hash chain and (optionally) the owning PBX; exit 1 on any problem')
    .argument('<file>', 'a .arc archive')
    .option('--system-id <id>', 'the PBX the archive must belong to')
    .action((file: string, opts: { systemId?: string }) => {
      const r = load(file, opts.systemId);
      if (!r.ok) {
        for (const p of r.problems) process.stdout.write(`${file}:${p.line}: ${p.message}\n`);
        throw new CliError(`${file} FAILED verification: ${r.problems.length} problem(s); the archive was altered, truncated or is not the expected PBX's`);
      }
      const t = r.tail!;
      const range = t.entries ? `seq ${r.entries[0].seq}-${t.seq}` : 'no entries';
      process.stdout.write(`${file}: OK — system ${t.header.systemId} (${t.header.pbxName}), ${t.entries} entries, ${range}, chain ${t.chain.slice(0, 16)}…\n`);
    });
}

function load(file: string, systemId?: string): VerifyResult {
  try {
    return verifyArchive(file, { systemId });
  } catch (err) {
    if (err instanceof ArchiveError) throw new CliError(err.message);
    throw err;
  }
}

function day(text: string, option: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3])) throw new CliError(`${option} wants a date as YYYY-MM-DD, got "${text}"`);
  return t;
}

/** Through $PAGER (default less) when stdout is a terminal; plain otherwise so it can be printed or piped. */
async function page(text: string): Promise<void> {
  if (!process.stdout.isTTY) {
    process.stdout.write(text);
    return;
  }
  const pager = process.env.PAGER || 'less';
  await new Promise<void>((resolve) => {
    const child = spawn(pager, { shell: true, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', () => {
      process.stdout.write(text);
      resolve();
    });
    child.on('close', () => resolve());
    child.stdin.on('error', () => undefined); // the user quit the pager early
    child.stdin.end(text);
  });
}
