/**
 * Exit codes of `hicom-sim assistant` (docs/assistant.md), so CI can tell a
 * refused command from a rig that could not even connect.
 */
export const EXIT = {
  /** Every command answered OK. */
  ok: 0,
  /** A command answered ERROR (the first one stops a script). */
  commandError: 1,
  /** Bad options or a bad script line (commander also uses 1 for unknown options; ours are 2). */
  usage: 2,
  /** No connection: TCP refused, device/pty cannot be opened, line lost mid-session, timeout. */
  connection: 3,
  /** The modem did not connect: BUSY, NO ANSWER, NO CARRIER, NO DIALTONE, ERROR, no RING for a callback. */
  dial: 4,
  /** PIN, callback request or login refused by the PBX. */
  access: 5,
} as const;

export class AssistantError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
