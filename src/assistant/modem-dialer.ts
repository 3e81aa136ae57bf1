import type { SessionClient } from '../clients/session-client.js';
import { EXIT, ExitError, type ExitCode } from '../exit-codes.js';

/**
 * Why reaching a PBX failed, for a program that must say it in its own
 * words (the portal's "test now" by modem, a maintenance visit) rather than
 * as an exit code: the dial's final result code (V.250 §6.3.1, spec §4.4),
 * or the PBX's refusal at the PIN prompt, the callback or the login.
 */
export type LinkFailure =
  | 'busy'
  | 'no-answer'
  | 'no-carrier'
  | 'no-dialtone'
  | 'modem-error'
  | 'modem-silent'
  | 'modem-refused'
  | 'pin-refused'
  | 'callback-refused'
  | 'no-callback'
  | 'login-refused'
  | 'line-dropped'
  | 'no-connection';

/** A failure to reach or log in to a PBX: its exit code for the CLI, its reason for everyone else. */
export class LinkError extends ExitError {
  override name = 'LinkError';

  constructor(
    message: string,
    exitCode: ExitCode,
    readonly reason: LinkFailure,
  ) {
    super(message, exitCode);
  }
}

/** Final result codes of a dial (V.250 §6.3.1 and the spec §4.4 table), with what to tell the technician. */
const DIAL_FAILURES: Record<string, { text: string; reason: LinkFailure }> = {
  BUSY: { text: 'the number is busy; try again later', reason: 'busy' },
  'NO ANSWER': { text: 'nobody answered (is the IMOD DID right and the modem plugged in?)', reason: 'no-answer' },
  'NO CARRIER': { text: 'no carrier: the call failed or the far end hung up (unreachable number, or the PBX refused the call)', reason: 'no-carrier' },
  'NO DIALTONE': { text: 'no dial tone: the modem is not connected to a working line', reason: 'no-dialtone' },
  ERROR: { text: 'the modem refused the dial command', reason: 'modem-error' },
};
const FINAL = /(CONNECT[^\r\n]*|BUSY|NO ANSWER|NO CARRIER|NO DIALTONE|ERROR)\r?\n/;
/** Time for a dial to end: setup, ringing and training, as S7 (V.250 §6.3.9) allows at most 255 s. */
export const DIAL_TIMEOUT_MS = 90_000;
/** How long to wait for the PBX's callback after it hung up (10 s plus retries, spec §3.3). */
export const CALLBACK_WAIT_MS = 120_000;

/** Reset the modem to a known profile without echo: ATZ, then ATE0 (V.250 §6.2.1, §6.2.4). */
export async function resetModem(client: SessionClient): Promise<void> {
  for (const cmd of ['ATZ', 'ATE0V1Q0']) {
    client.write(`${cmd}\r`);
    const got = await client.expect(/(OK|ERROR)\r?\n/, 5000).catch(() => {
      throw new LinkError(`the modem does not answer ${cmd} (is it a modem's DTE port?)`, EXIT.connection, 'modem-silent');
    });
    if (/ERROR/.test(got)) throw new LinkError(`the modem answered ERROR to ${cmd}`, EXIT.dial, 'modem-error');
  }
}

function failure(code: string, what: string): LinkError {
  const f = DIAL_FAILURES[code];
  return new LinkError(`${what}: ${code} — ${f?.text ?? code}`, EXIT.dial, f?.reason ?? 'no-carrier');
}

/** ATDT the number; resolves with the CONNECT line. */
export async function dial(client: SessionClient, number: string, timeoutMs = DIAL_TIMEOUT_MS): Promise<string> {
  if (!/^[0-9*#,WwPpTt]+$/.test(number)) throw new ExitError(`"${number}" is not a number to dial`, EXIT.usage);
  client.write(`ATDT${number}\r`);
  const got = await client.expect(FINAL, timeoutMs).catch((err: Error) => {
    throw new LinkError(`dialling ${number}: ${err.message}`, EXIT.dial, 'no-answer');
  });
  const code = (FINAL.exec(got)?.[1] ?? '').trim();
  if (!code.startsWith('CONNECT')) throw failure(code, `dialling ${number}`);
  return code;
}

/** Wait for RING, answer with ATA, resolve with the CONNECT line. */
export async function answerCallback(client: SessionClient, timeoutMs = CALLBACK_WAIT_MS): Promise<string> {
  await client.expect(/RING\r?\n/, timeoutMs).catch((err: Error) => {
    throw new LinkError(`no callback from the PBX: ${err.message}`, EXIT.dial, 'no-callback');
  });
  client.write('ATA\r');
  const got = await client.expect(FINAL, DIAL_TIMEOUT_MS).catch((err: Error) => {
    throw new LinkError(`answering the callback: ${err.message}`, EXIT.dial, 'no-callback');
  });
  const code = (FINAL.exec(got)?.[1] ?? '').trim();
  if (!code.startsWith('CONNECT')) throw failure(code, 'answering the callback');
  return code;
}
