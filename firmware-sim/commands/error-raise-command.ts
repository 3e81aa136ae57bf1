import type { ErrorClass } from '../error-history.js';
import type { SessionCommand } from '../session-command.js';

/** Longest text `errors raise` takes: a display-sized message, far below the report's 1024-byte limit. */
export const RAISED_TEXT_MAX = 80;
/** Location recorded for an error raised from a session (service terminal or CI rig). */
export const RAISED_LOCATION = 'session';

/** Hex with 0x, or decimal; 0–65535. */
function parseCode(text: string): number | undefined {
  const n = /^0x[0-9a-f]{1,4}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
}

/**
 * Enter an error into the Error History by hand, so a service technician or
 * a CI rig can exercise error signaling end to end. Maintenance right
 * (System maintenance, Development); logged (format 6) before it acts.
 */
export const errorRaiseCommand: SessionCommand = {
  words: ['errors', 'raise'],
  params: 'A|B|C <code> <text>...',
  help: 'enter a test error into the error memory (class B errors are signaled to the centre)',
  action: 'maintenance',
  run(ctx, args) {
    const cls = args[0].toUpperCase();
    if (cls !== 'A' && cls !== 'B' && cls !== 'C') return ctx.fail(422, 'class is A, B or C');
    const code = parseCode(args[1]);
    if (code === undefined) return ctx.fail(422, 'code is 0–65535, decimal or 0x-hex');
    const text = args.slice(2).join(' ');
    if ([...text].length > RAISED_TEXT_MAX) return ctx.fail(422, `text: at most ${RAISED_TEXT_MAX} characters`);
    if (/[\u0000-\u001f\u007f]/.test(text)) return ctx.fail(422, 'text: control characters are not allowed');
    ctx.pbx.audit(ctx.actor, 6, `errors raise ${cls} 0x${code.toString(16).padStart(4, '0')} ${text}`);
    const record = ctx.pbx.errors.add({ time: ctx.pbx.clock.now(), cls: cls as ErrorClass, code, location: RAISED_LOCATION, text, pseudo: false });
    ctx.ok(`error ${record.id} entered`);
  },
};
