import { FrameType } from '../armored-frame.js';
import type { SessionCommand } from '../session-command.js';

/** Remote software load (spec §3.1; protocol log format 5; docs/aps-image.md). */
export const apsCommands: SessionCommand[] = [
  {
    words: ['aps', 'show'],
    help: 'the running APS version and the image stored on the FMC',
    run(ctx, args) {
      const stored = ctx.pbx.aps.active();
      ctx.print(`aps-version: ${ctx.pbx.apsVersion}`, `type: ${ctx.pbx.type}`, `stored-image: ${stored ? `${stored.version} ${stored.type} ${stored.bodyLength} bytes` : 'none (delivered APS)'}`);
      ctx.ok();
    },
  },
  {
    words: ['aps', 'load'],
    help: 'load a new APS (then send the APS frame); logs A2-1 before, A2-2 after, restarts with it',
    action: 'aps-load',
    run(ctx, args) {
      // Logged before the first byte travels; the old APS runs on during the
      // transfer, and a broken or refused transfer changes nothing.
      ctx.pbx.audit(ctx.actor, 5, 'A2-1 APSXF');
      ctx.receiveFrame(FrameType.Aps, (payload) => {
        const result = ctx.pbx.installAps(ctx.actor, payload);
        if (!result.ok) return ctx.fail(result.code, result.error);
        ctx.ok(`APS ${result.value.version} loaded (was ${result.value.old}); system restarted`);
      });
    },
  },
];
