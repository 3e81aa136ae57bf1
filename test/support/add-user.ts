import { CIRCLE_NAME, type Circle } from '../../firmware-sim/circles.js';
import { quote } from '../../firmware-sim/command-tokens.js';
import { SessionClient, type Reply } from '../../src/clients/session-client.js';
import type { AdminTerminal } from './pbx-harness.js';

export interface UserSpec {
  name: string;
  /** undefined: no circle (AMHOST). */
  circle: Circle | undefined;
  password: string;
}

/**
 * `user add` with its password dialogue (the password, then again), the one
 * way the tests create users: on an in-process admin terminal it returns the
 * final status line; over a session client (TCP, pty, modem) it resolves
 * with the reply.
 */
export function addUser(term: AdminTerminal, user: UserSpec): string;
export function addUser(client: SessionClient, user: UserSpec): Promise<Reply>;
export function addUser(via: AdminTerminal | SessionClient, user: UserSpec): string | Promise<Reply> {
  const line = `user add ${quote(user.name)}${user.circle === undefined ? '' : ` ${CIRCLE_NAME[user.circle]}`}`;
  if (via instanceof SessionClient) {
    return via.dialogue(line, [
      { prompt: 'Password: ', answer: user.password },
      { prompt: 'Repeat password: ', answer: user.password },
    ]);
  }
  via.cmd(line);
  via.cmd(user.password);
  return via.cmd(user.password).status;
}
