import type { FrameType } from './armored-frame.js';
import type { Actor, Pbx } from './pbx.js';
import type { Action } from './rights.js';
import type { SessionChannel } from './session-channel.js';

/** What a command sees of its session. Every path ends in ok() or fail(), or hands over to ask()/receiveFrame(). */
export interface CommandContext {
  pbx: Pbx;
  actor: Actor;
  channel: SessionChannel;
  /** This session's entry in `pbx.sessions` (`show sessions` marks it). */
  sessionId: number | undefined;
  /** Every command of the session language (for `help`). */
  commands: readonly SessionCommand[];
  print(...lines: string[]): void;
  ok(note?: string): void;
  fail(code: number, text: string): void;
  /**
   * Refuse the arguments with this command's usage line (400), after
   * `detail` if given; a command whose arguments are wrong in content
   * rather than in number ends here as the dispatcher's count check does.
   */
  usage(detail?: string): void;
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

/**
 * One command of the session language. Its arguments are declared once, in
 * `params`, which `help` shows and the dispatcher checks the count against
 * before `run` (command-params.ts has the notation).
 */
export interface SessionCommand {
  /** The command words, e.g. ['user', 'add']. */
  words: readonly string[];
  /** The arguments after the words, e.g. `<1-6> <number>` or `[from <seq>] [last <n>]`; empty or absent: none. */
  params?: string;
  help: string;
  /** Right checked before `run`; commands on data items check per item. */
  action?: Action;
  /**
   * How a usage error is answered (wrong count, or `ctx.usage()`); the
   * default is `ERROR 400 <message>`. The archiving commands end their run.
   */
  usageError?(ctx: CommandContext, message: string): void;
  run(ctx: CommandContext, args: string[]): void;
}

/** The usage line of a command as `help` and its errors show it, e.g. `callback number <1-6> <number>`. */
export function usageOf(command: SessionCommand): string {
  return [...command.words, ...(command.params ? [command.params] : [])].join(' ');
}
