import { InvalidArgumentError, type Command } from 'commander';

/** A calendar day `YYYY-MM-DD` (UTC) as ms since epoch; 2026-13-01 or 2026-02-30 are refused, not rolled over. */
export function day(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return t;
  }
  throw new InvalidArgumentError('It must be a calendar day as YYYY-MM-DD, e.g. 2026-01-31.');
}

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
    .option('--from <date>', 'only entries on or after this day (YYYY-MM-DD, UTC)', day)
    .option('--to <date>', 'only entries on or before this day (YYYY-MM-DD, UTC)', day)
    .action(async (file: string, opts: { from?: number; to?: number }) => (await import('./archive-run.js')).view(file, opts));
  archive
    .command('verify')
    .description('check header, seal, hash chain and (optionally) the owning PBX; exit 2 on any problem')
    .argument('<file>', 'a .arc archive')
    .option('--system-id <id>', 'the PBX the archive must belong to')
    .action(async (file: string, opts: { systemId?: string }) => (await import('./archive-run.js')).verify(file, opts));
}
