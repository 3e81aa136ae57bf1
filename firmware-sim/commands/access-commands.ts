import type { CommandContext, SessionCommand } from '../session-command.js';
import { changeKdsItem, visibleItem } from './kds-commands.js';

/** Ask a secret twice without echo and store it in `path`. */
export function askSecret(ctx: CommandContext, label: string, path: string): void {
  ctx.ask(`${label}:`, true, (s1) => {
    ctx.ask(`Repeat ${label.toLowerCase()}:`, true, (s2) => {
      if (s1 !== s2) return ctx.fail(422, `the ${label.toLowerCase()}s differ`);
      if (s1 === '') return ctx.fail(422, `an empty ${label.toLowerCase()} is not allowed; use reset`);
      changeKdsItem(ctx, path, s1);
    });
  });
}

export function showLines(ctx: CommandContext, prefixes: string[]): void {
  for (const path of ctx.pbx.kds.paths()) {
    if (!prefixes.some((p) => path.startsWith(p))) continue;
    const line = visibleItem(ctx, path);
    if (line) ctx.print(line);
  }
  ctx.ok();
}

function callbackIndex(ctx: CommandContext, text: string): number | undefined {
  const i = Number(text);
  if (!Number.isInteger(i) || i < 1 || i > 6) {
    ctx.fail(422, 'callback index is 1–6');
    return undefined;
  }
  return i;
}

export const accessCommands: SessionCommand[] = [
  {
    words: ['pin', 'set'],
    help: 'set the 5-digit customer PIN that opens the modems (asks twice, no echo)',
    run(ctx, args) {
      askSecret(ctx, 'PIN', 'pin');
    },
  },
  {
    words: ['pin', 'reset'],
    help: 'reset the PIN to the default, which blocks modem access (local admin port only)',
    run(ctx, args) {
      if (!ctx.actor.local) return ctx.fail(403, 'the PIN can be reset only on a local admin port (Assistant T)');
      changeKdsItem(ctx, 'pin', '');
    },
  },
  {
    words: ['callback', 'show'],
    help: 'the six callback indices (codes are never shown)',
    run(ctx) {
      showLines(ctx, ['callback.']);
    },
  },
  {
    words: ['callback', 'number'],
    params: '<1-6> <number>',
    help: 'set the callback number of an index ("" to clear)',
    run(ctx, args) {
      const i = callbackIndex(ctx, args[0]);
      if (i !== undefined) changeKdsItem(ctx, `callback.${i}.number`, args[1]);
    },
  },
  {
    words: ['callback', 'code'],
    params: '<1-6>',
    help: 'set the access code (up to 6 digits) of an index; asks twice, no echo',
    run(ctx, args) {
      const i = callbackIndex(ctx, args[0]);
      if (i !== undefined) askSecret(ctx, 'Code', `callback.${i}.code`);
    },
  },
  {
    words: ['callback', 'x75'],
    params: '<1-6> yes|no',
    help: 'call back over the digital X.75 modem (yes) or the IMOD (no)',
    run(ctx, args) {
      const i = callbackIndex(ctx, args[0]);
      if (i !== undefined) changeKdsItem(ctx, `callback.${i}.x75`, args[1]);
    },
  },
  {
    words: ['signaling', 'show'],
    help: 'error-signaling settings and the centre number (callback index 1)',
    run(ctx) {
      showLines(ctx, ['signaling.', 'callback.1.']);
    },
  },
  {
    words: ['signaling', 'set'],
    params: 'enabled|interval|functest|functest-days|functest-spread <value>',
    help: 'change an error-signaling setting (interval 1–15 min; out of range becomes 15)',
    run(ctx, args) {
      const field = args[0].toLowerCase();
      if (!['enabled', 'interval', 'functest', 'functest-days', 'functest-spread'].includes(field)) return ctx.fail(404, `no signaling setting ${args[0]}`);
      changeKdsItem(ctx, `signaling.${field}`, args[1]);
    },
  },
  {
    words: ['dtmf', 'password'],
    help: 'set the 6-digit password that enables DTMF remote administration (asks twice)',
    run(ctx, args) {
      askSecret(ctx, 'Password', 'dtmf.password');
    },
  },
];
