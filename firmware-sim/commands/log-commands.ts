import { formatEntry } from '../protocol-log.js';
import type { SessionCommand } from '../session-command.js';

/** Parse "from N", "last N" options; an error text if malformed. */
function parseRange(args: string[]): { from: number; last: number } | string {
  let from = 0;
  let last = Infinity;
  for (let i = 0; i < args.length; i += 2) {
    const n = Number(args[i + 1]);
    if (!Number.isInteger(n) || n < 0) return `"${args[i]}" needs a number`;
    if (args[i] === 'from') from = n;
    else if (args[i] === 'last') last = n;
    else return `unknown option "${args[i]}"`;
  }
  return { from, last };
}

export const logCommands: SessionCommand[] = [
  {
    words: ['log', 'show'],
    params: '[from <seq>] [last <n>]',
    help: 'view protocol-log entries; they stay in the PBX (Revision)',
    action: 'log-read',
    run(ctx, args) {
      if (!ctx.pbx.log.available) return ctx.fail(503, 'no protocol log: no 10 MB FMC present');
      const range = parseRange(args);
      if (typeof range === 'string') return ctx.usage(range);
      let entries = ctx.pbx.log.read(range.from);
      if (range.last !== Infinity) entries = entries.slice(Math.max(0, entries.length - range.last));
      for (const e of entries) ctx.print(formatEntry(e));
      ctx.ok(`${entries.length} entries`);
    },
  },
];
