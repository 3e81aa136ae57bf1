import { CIRCLE_NAME } from '../circles.js';
import { dtmfDisplays } from '../dtmf-admin/dtmf-admin.js';
import { KDS_SCHEMA } from '../kds-schema.js';
import { isAmhost } from '../pbx.js';
import { ACTION_TEXT, type Action } from '../rights.js';
import { usageOf, type SessionCommand } from '../session-command.js';
import { formatDateTime } from '../time-format.js';

const ON_OFF: Record<string, boolean> = { on: true, off: false };

export const sessionControlCommands: SessionCommand[] = [
  {
    words: ['help'],
    params: '[command...]',
    help: 'list the commands, or show one command',
    run(ctx, args) {
      const topic = args.join(' ').toLowerCase();
      const hits = ctx.commands.filter((c) => topic === '' || c.words.join(' ').startsWith(topic));
      if (hits.length === 0) return ctx.fail(404, `no command "${topic}"`);
      for (const c of hits) ctx.print(`${usageOf(c).padEnd(40)} ${c.help}`);
      ctx.ok();
    },
  },
  {
    words: ['show', 'system'],
    help: 'type, system id, APS version, time, display, country, log state, your circle',
    run(ctx) {
      const { pbx, actor } = ctx;
      const [l1, l2] = pbx.display();
      ctx.print(
        `type: ${pbx.type}`,
        `system-id: ${pbx.systemId}`,
        `aps-version: ${pbx.apsVersion}`,
        `time: ${formatDateTime(pbx.clock.now())} UTC`,
        `display: ${l1.trimEnd()} | ${l2.trimEnd()}`,
        `country: ${pbx.kds.get('c1.country')} (language ${pbx.kds.get('c1.language')}, dates ${pbx.kds.get('c1.date-format')}, outside line ${pbx.kds.get('c1.outside-prefix')})`,
        `protocol-log: ${pbx.log.available ? `${(pbx.log.fill() * 100).toFixed(1)} % full, last entry ${pbx.log.lastSeq()}` : 'not available (no 10 MB FMC)'}`,
        `users: ${pbx.users.list().length}`,
        `you: ${actor.user} (${actor.circle === undefined ? 'no circle' : CIRCLE_NAME[actor.circle]}) via ${ctx.channel}`,
      );
      ctx.ok();
    },
  },
  {
    words: ['show', 'display'],
    help: 'the two display lines of an admin station, then those of open DTMF remote administrations',
    run(ctx) {
      const [l1, l2] = ctx.pbx.display();
      ctx.print(l1, l2);
      for (const d of dtmfDisplays(ctx.pbx)) ctx.print(`dtmf ${d.via}: ${d.lines[0].trimEnd()} | ${d.lines[1].trimEnd()}`);
      ctx.ok();
    },
  },
  {
    words: ['show', 'rights'],
    help: 'what your circle may read, write and do right now',
    run(ctx) {
      const { rights } = ctx.actor;
      const classes = [...new Set(KDS_SCHEMA.map((s) => s.cls))];
      for (const cls of classes) {
        for (const conf of [false, true]) {
          if (!KDS_SCHEMA.some((s) => s.cls === cls && (s.confidential === true) === conf)) continue;
          const r = rights.canRead(cls, conf) ? 'read' : '-';
          const w = rights.canWrite(cls, conf) ? 'write' : '-';
          ctx.print(`data ${cls}${conf ? ' (confidential)' : ''}: ${r} ${w}`);
        }
      }
      for (const a of Object.keys(ACTION_TEXT) as Action[]) ctx.print(`action ${a}: ${rights.may(a) ? 'yes' : 'no'}`);
      if (rights.serviceHasAll && ctx.actor.circle === 3) ctx.print('note: no other circle has users, so System maintenance holds all rights');
      if (isAmhost(ctx.actor)) ctx.print(`plus products (AMHOST) also write: ${KDS_SCHEMA.filter((s) => s.amhost).map((s) => s.pattern).join(', ')}`);
      ctx.ok();
    },
  },
  {
    words: ['mode'],
    params: 'machine|human',
    help: 'machine: no echo, no prompt (for programs); human: both on',
    run(ctx, args) {
      const m = args[0].toLowerCase();
      if (m !== 'machine' && m !== 'human') return ctx.fail(422, 'mode is machine or human');
      ctx.setEcho(m === 'human');
      ctx.setPrompt(m === 'human');
      ctx.ok();
    },
  },
  ...(['echo', 'prompt'] as const).map(
    (what): SessionCommand => ({
      words: [what],
      params: 'on|off',
      help: what === 'echo' ? 'echo typed characters' : 'show the "hicom> " prompt',
      run(ctx, args) {
        const on = ON_OFF[args[0].toLowerCase()];
        if (on === undefined) return ctx.fail(422, `${what} is on or off`);
        (what === 'echo' ? ctx.setEcho : ctx.setPrompt)(on);
        ctx.ok();
      },
    }),
  ),
  ...['logout', 'quit', 'exit'].map(
    (word): SessionCommand => ({
      words: [word],
      help: 'log out (A0-2); on a modem line the PBX then hangs up',
      run(ctx) {
        ctx.logout();
      },
    }),
  ),
];
