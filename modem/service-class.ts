import type { CommandDef } from './command-context.js';

/** +FCLASS value of data mode (ITU-T T.31 and V.253: service class 0). */
export const DATA_FCLASS = 0;
/** +FCLASS value of voice mode (ITU-T V.253 §9.1). */
export const VOICE_FCLASS = 8;
/** The service classes this modem offers, as +FCLASS=? lists them. */
const SERVICE_CLASSES = [DATA_FCLASS, VOICE_FCLASS];

/** +FCLASS: selects data or voice mode (voice commands are in modem/voice-mode.ts). */
export const FCLASS_COMMAND: CommandDef = {
  name: '+FCLASS',
  handler: (ctx, cmd) => {
    if (cmd.kind !== 'extended') return 'error';
    const s = ctx.settings;
    if (cmd.op === 'read') return ctx.info(`${s.fclass}`), 'ok';
    if (cmd.op === 'test') return ctx.info(SERVICE_CLASSES.join(',')), 'ok';
    if (cmd.op !== 'set' || cmd.args.length !== 1 || !SERVICE_CLASSES.map(String).includes(cmd.args[0])) return 'error';
    s.fclass = Number(cmd.args[0]);
    return 'ok';
  },
};
