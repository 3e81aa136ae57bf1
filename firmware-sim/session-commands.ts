import type { FrameType } from './armored-frame.js';
import { apsCommands } from './commands/aps-commands.js';
import { accessCommands } from './commands/access-commands.js';
import { errorCommands } from './commands/error-commands.js';
import { errorRaiseCommand } from './commands/error-raise-command.js';
import { kdsCommands } from './commands/kds-commands.js';
import { logCommands } from './commands/log-commands.js';
import { maintenanceCommands } from './commands/maintenance-commands.js';
import { revisorCommands } from './commands/revisor-commands.js';
import { sessionControlCommands } from './commands/session-control-commands.js';
import { userCommands } from './commands/user-commands.js';
import type { Actor, Pbx } from './pbx.js';
import type { Action } from './rights.js';
import type { SessionChannel } from './session.js';

/** What a command sees of its session. Every path ends in ok() or fail(), or hands over to ask()/receiveFrame(). */
export interface CommandContext {
  pbx: Pbx;
  actor: Actor;
  channel: SessionChannel;
  print(...lines: string[]): void;
  ok(note?: string): void;
  fail(code: number, text: string): void;
  /** Ask one more line (masked with `*` for secrets), then continue in `then`. */
  ask(prompt: string, mask: boolean, then: (answer: string) => void): void;
  sendFrame(type: FrameType, payload: Uint8Array): void;
  /** Wait for an armored frame of `type` (BEGIN … END lines) from the client. */
  receiveFrame(type: FrameType, then: (payload: Buffer) => void): void;
  verifyOwnPassword(password: string): boolean;
  setEcho(on: boolean): void;
  setPrompt(on: boolean): void;
  logout(): void;
}

export interface SessionCommand {
  /** The command words, e.g. ['user', 'add']. */
  words: string[];
  usage: string;
  help: string;
  /** Right checked before `run`; commands on data items check per item. */
  action?: Action;
  run(ctx: CommandContext, args: string[]): void;
}

export const SESSION_COMMANDS: readonly SessionCommand[] = [
  ...sessionControlCommands,
  ...kdsCommands,
  ...userCommands,
  ...errorCommands,
  errorRaiseCommand,
  ...accessCommands,
  ...logCommands,
  ...maintenanceCommands,
  ...apsCommands,
  ...revisorCommands,
];

/** The command whose words are the longest prefix of `words` (case-insensitive). */
export function findCommand(words: string[]): { command: SessionCommand; args: string[] } | undefined {
  let best: SessionCommand | undefined;
  for (const c of SESSION_COMMANDS) {
    if (c.words.length > words.length) continue;
    if (!c.words.every((w, i) => w === words[i].toLowerCase())) continue;
    if (!best || c.words.length > best.words.length) best = c;
  }
  return best ? { command: best, args: words.slice(best.words.length) } : undefined;
}

/** Helper for commands: check the argument count and print usage if wrong. */
export function needArgs(ctx: CommandContext, args: string[], min: number, max: number, usage: string): boolean {
  if (args.length < min || args.length > max) {
    ctx.fail(400, `usage: ${usage}`);
    return false;
  }
  return true;
}
