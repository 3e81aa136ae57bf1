import type { ErrorClass } from '../error-history.js';
import type { SessionCommand } from '../session-command.js';
import { formatDateTime } from '../time-format.js';

export const errorCommands: SessionCommand[] = [
  {
    words: ['errors', 'show'],
    params: '[A|B|C]',
    help: 'read the error memory (B1-1)',
    action: 'errors-read',
    run(ctx, args) {
      const cls = args[0]?.toUpperCase();
      if (cls !== undefined && !['A', 'B', 'C'].includes(cls)) return ctx.fail(422, 'class is A, B or C');
      ctx.pbx.audit(ctx.actor, 6, 'B1-1');
      const records = ctx.pbx.errors.list(cls as ErrorClass | undefined);
      for (const r of records) {
        ctx.print(`${String(r.id).padStart(5)} ${formatDateTime(r.time)} ${r.cls} ${r.code.toString(16).padStart(4, '0')} ${r.location.padEnd(10)} ${r.text}${r.pseudo ? ' [function test]' : ''}`);
      }
      ctx.ok(`${records.length} entries`);
    },
  },
  {
    words: ['errors', 'delete'],
    help: 'delete the error memory (B1-2)',
    action: 'errors-delete',
    run(ctx, args) {
      ctx.pbx.audit(ctx.actor, 6, 'B1-2');
      const n = ctx.pbx.errors.clear();
      ctx.pbx.persist();
      ctx.ok(`${n} entries deleted`);
    },
  },
];
