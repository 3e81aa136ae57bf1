import { circleLetter } from '../circles.js';
import type { SessionCommand } from '../session-command.js';
import { formatDateTime } from '../time-format.js';

/**
 * What a remote service needs to work without colliding with people
 * (spec §5.4, docs/lan-teleservice.md): who is logged in right now, and a
 * function test on demand.
 */
export const teleserviceCommands: SessionCommand[] = [
  {
    words: ['show', 'sessions'],
    help: 'who is logged in now, on every port, modem and LAN connection ("*" marks this session)',
    run(ctx) {
      const open = ctx.pbx.sessions.list();
      for (const s of open) {
        const mark = s.id === ctx.sessionId ? '*' : ' ';
        ctx.print(`${mark} ${String(s.id).padStart(3)} ${s.channel.padEnd(5)} ${s.user.padEnd(16)} ${circleLetter(s.circle)} ${formatDateTime(s.since)} ${s.port}`);
      }
      ctx.ok(`${open.length} session${open.length === 1 ? '' : 's'}`);
    },
  },
  {
    words: ['signaling', 'test'],
    help: 'raise the function-test pseudo error now; it is signaled to the centre like the timed one',
    action: 'maintenance',
    run(ctx) {
      // Logged before it acts, as every maintenance action (format 6).
      ctx.pbx.audit(ctx.actor, 6, 'signaling test');
      const record = ctx.pbx.errors.addFunctionTest(ctx.pbx.clock.now());
      ctx.pbx.persist();
      ctx.ok(`function test ${record.id} entered`);
    },
  },
];
