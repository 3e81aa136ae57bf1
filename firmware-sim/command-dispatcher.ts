import { paramCount } from './command-params.js';
import { tokenize } from './command-tokens.js';
import type { Actor, Pbx } from './pbx.js';
import { ACTION_TEXT, circlesAllowed } from './rights.js';
import { usageOf, type CommandContext, type SessionCommand } from './session-command.js';

/** The part of a command's context the session provides; the dispatcher adds the table and the usage. */
export type SessionSide = Omit<CommandContext, 'commands' | 'usage'>;

/**
 * From a command line to a command run: split into words, find the
 * command (longest match of its words, case-insensitive), check the right
 * and the argument count its definition declares, then run it.
 */
export class CommandDispatcher {
  readonly #pbx: Pbx;
  readonly #commands: readonly SessionCommand[];

  constructor(pbx: Pbx, commands: readonly SessionCommand[]) {
    this.#pbx = pbx;
    this.#commands = commands;
  }

  /** Run `text` (not blank) for `actor`; every refusal goes through `session.fail`. */
  dispatch(text: string, actor: Actor, session: SessionSide): void {
    const words = tokenize(text);
    if (typeof words === 'string') return session.fail(400, words);
    const found = this.#find(words);
    if (!found) return session.fail(404, `unknown command "${words.slice(0, 2).join(' ')}"; type help`);
    const { command, args } = found;
    // The rights of System maintenance can change while logged in (a user
    // administrator was just created): recompute from the current table.
    actor.rights = this.#pbx.rightsFor(actor.circle);
    if (command.action && !actor.rights.may(command.action)) {
      return session.fail(403, `missing right: ${ACTION_TEXT[command.action]} (${circlesAllowed(command.action, this.#pbx.users.occupied())})`);
    }
    const ctx: CommandContext = {
      ...session,
      commands: this.#commands,
      usage: (detail) => {
        const message = `${detail === undefined ? '' : `${detail}; `}usage: ${usageOf(command)}`;
        if (command.usageError) command.usageError(ctx, message);
        else ctx.fail(400, message);
      },
    };
    const count = paramCount(command.params);
    if (args.length < count.min || args.length > count.max) return ctx.usage();
    command.run(ctx, args);
  }

  /** The command whose words are the longest prefix of `words`. */
  #find(words: string[]): { command: SessionCommand; args: string[] } | undefined {
    let best: SessionCommand | undefined;
    for (const c of this.#commands) {
      if (c.words.length > words.length) continue;
      if (!c.words.every((w, i) => w === words[i].toLowerCase())) continue;
      if (!best || c.words.length > best.words.length) best = c;
    }
    return best ? { command: best, args: words.slice(best.words.length) } : undefined;
  }
}
