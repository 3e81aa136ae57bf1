import { FrameType } from '../armored-frame.js';
import { quote } from '../command-tokens.js';
import type { KdsImage } from '../kds.js';
import { resolveItem } from '../kds-schema.js';
import type { CommandContext, SessionCommand } from '../session-command.js';

/** One `path = value` line as the actor may see it, or undefined if hidden. */
export function visibleItem(ctx: CommandContext, path: string): string | undefined {
  const item = resolveItem(path);
  const value = ctx.pbx.kds.get(path);
  if (!item || value === undefined) return undefined;
  if (!ctx.actor.rights.canRead(item.spec.cls, item.spec.confidential === true)) return undefined;
  if (item.spec.secret) return `${path} = <${value === '' ? 'default' : 'set'}>`;
  return `${path} = ${quote(value)}`;
}

function change(ctx: CommandContext, path: string, value: string): void {
  const result = ctx.pbx.changeItem(ctx.actor, path, value);
  if (!result.ok) return ctx.fail(result.code, result.error);
  const shown = visibleItem(ctx, path);
  if (shown) ctx.print(shown);
  ctx.ok(result.note);
}

export const kdsCommands: SessionCommand[] = [
  {
    words: ['kds', 'show'],
    params: '[prefix]',
    help: 'list KDS items you may read (e.g. kds show station.101)',
    run(ctx, args) {
      const prefix = args[0] ?? '';
      let n = 0;
      for (const path of ctx.pbx.kds.paths()) {
        if (prefix && !(path === prefix || path.startsWith(`${prefix}.`))) continue;
        const line = visibleItem(ctx, path);
        if (line) {
          ctx.print(line);
          n++;
        }
      }
      if (n === 0 && prefix && !ctx.pbx.kds.paths().some((p) => p === prefix || p.startsWith(`${prefix}.`))) return ctx.fail(404, `no KDS items under ${prefix}`);
      ctx.ok(`${n} items`);
    },
  },
  {
    words: ['get'],
    params: '<item>',
    help: 'show one KDS item',
    run(ctx, args) {
      const path = args[0];
      if (!ctx.pbx.kds.has(path)) return ctx.fail(404, `no KDS item ${path}`);
      const line = visibleItem(ctx, path);
      const item = resolveItem(path);
      if (!line || !item) return ctx.fail(403, `missing right: read ${path} — held by ${ctx.actor.rights.ownerOf(item?.spec.cls ?? 'system', item?.spec.confidential === true)}`);
      ctx.print(line);
      ctx.ok();
    },
  },
  {
    words: ['set'],
    params: '<item> <value>',
    help: 'change one KDS item (logged before it is changed; quote values with spaces)',
    run(ctx, args) {
      const item = resolveItem(args[0]);
      if (item?.spec.secret) return ctx.fail(400, `${args[0]} is a secret: use "pin set", "callback code" or "dtmf password", which ask for it without echo`);
      change(ctx, args[0], args[1]);
    },
  },
  {
    words: ['kds', 'read'],
    help: 'the whole KDS as a frame (all data travel; clients show what your rights allow)',
    action: 'kds-read',
    run(ctx) {
      const image = ctx.pbx.readImage();
      ctx.sendFrame(FrameType.Kds, Buffer.from(JSON.stringify(image), 'utf8'));
      ctx.ok(`generation ${image.baseGeneration}`);
    },
  },
  {
    words: ['kds', 'users'],
    help: 'the user table (names, circles, password hashes) as a frame, saved with a KDS file',
    action: 'kds-read',
    run(ctx) {
      const users = ctx.pbx.users.list().filter((u) => !u.firstLogin);
      ctx.sendFrame(FrameType.Kds, Buffer.from(JSON.stringify(users), 'utf8'));
      ctx.ok(`${users.length} users`);
    },
  },
  {
    words: ['kds', 'write'],
    help: 'write a whole KDS (then send the frame); the user table is never touched',
    action: 'kds-write',
    run(ctx) {
      ctx.receiveFrame(FrameType.Kds, (payload) => {
        let image: KdsImage;
        try {
          image = JSON.parse(payload.toString('utf8')) as KdsImage;
        } catch {
          return ctx.fail(422, 'the KDS frame does not hold a KDS image');
        }
        if (typeof image !== 'object' || image === null || typeof image.items !== 'object' || image.items === null) return ctx.fail(422, 'the KDS frame does not hold a KDS image');
        const result = ctx.pbx.writeImage(ctx.actor, image);
        if (!result.ok) return ctx.fail(result.code, result.error);
        ctx.ok(`${result.value.mode === 'modify' ? 'Datenbasis schreiben' : 'KDS Neugenerierung'}: ${result.value.changes} items changed`);
      });
    },
  },
];

export { change as changeKdsItem };
