import { spawn } from 'node:child_process';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { verifyArchive, type VerifyResult } from '../revisor/archive-file.js';
import { EXIT, ExitError } from '../exit-codes.js';

const DAY_MS = 86_400_000;

/** `hicom-sim archive view FILE`: a file that is not an archive at all is refused before anything is printed. */
export async function view(file: string, opts: { from?: number; to?: number }): Promise<void> {
  if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) throw new ExitError('--from is after --to: nothing could match', EXIT.usage);
  const r = verifyArchive(file);
  if (!r.header) throw new ExitError(`${file}: ${r.problems[0].message}`, EXIT.usage);
  const from = opts.from ?? -Infinity;
  const to = opts.to === undefined ? Infinity : opts.to + DAY_MS - 1;
  const lines = [
    `Protocol archive of ${r.header.pbxName} (system ${r.header.systemId}), created ${r.header.created}`,
    '',
    ...r.entries.filter((e) => e.time >= from && e.time <= to).map(formatEntry),
  ];
  await page(`${lines.join('\n')}\n`);
  // The entries are printed as read (a revisor may need them); that the file is damaged is still an error.
  if (!r.ok) throw new ExitError(`${file} does not verify: ${describe(r.problems[0])}${r.problems.length > 1 ? ` (and ${r.problems.length - 1} more; "hicom-sim archive verify ${file}" lists them)` : ''}; the entries above are as read`, EXIT.usage);
}

function describe(p: { line: number; message: string }): string {
  return p.line ? `line ${p.line}: ${p.message}` : p.message;
}

/** `hicom-sim archive verify FILE`: every problem on stdout, one summary line and exit 2. */
export function verify(file: string, opts: { systemId?: string }): void {
  const r: VerifyResult = verifyArchive(file, { systemId: opts.systemId });
  if (!r.ok) {
    for (const p of r.problems) process.stdout.write(`${file}:${p.line}: ${p.message}\n`);
    throw new ExitError(`${file} FAILED verification: ${r.problems[0].message}${r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problem(s), listed above)` : ''}`, EXIT.usage);
  }
  const t = r.tail!;
  const range = t.entries ? `seq ${r.entries[0].seq}-${t.seq}` : 'no entries';
  process.stdout.write(`${file}: OK — system ${t.header.systemId} (${t.header.pbxName}), ${t.entries} entries, ${range}, chain ${t.chain.slice(0, 16)}…\n`);
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
