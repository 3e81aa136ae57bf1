import type { Duplex } from 'node:stream';
import type { CardIdentity } from '../../firmware-sim/chip-card.js';
import { connectLine } from '../adapters/connect-line.js';
import { parseLineSpec, LineSpecError } from '../adapters/line-spec.js';
import { SessionClient, SessionError, type SessionClientOptions } from '../clients/session-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { answerCallback, dial, LinkError, resetModem, type LinkFailure } from './modem-dialer.js';

/**
 * How the technician reaches the PBX:
 * - `direct`: a local admin port (V.24 service interface on TCP, a pty, a serial device);
 * - `dial`: the technician's modem dials the IMOD and answers the PIN prompt;
 * - `callback`: dial, ask for callback index + code at the PIN prompt, let the
 *   PBX hang up, wait for its call (RING), answer with ATA.
 */
export type LinkPlan =
  | { kind: 'direct'; line: string }
  | { kind: 'dial'; modem: string; number: string; pin: string }
  | { kind: 'callback'; modem: string; number: string; index: number; code: string };

export interface Credentials {
  /** The user name; with a chip card the card's identity stands in for it. */
  name: string;
  password: string;
  /** Octopus E: log in with this chip card (docs/octopus-e.md) as its group or individual id. */
  card?: { bytes: Uint8Array; identity: CardIdentity };
}

export interface LinkEvents {
  /** Progress lines for the technician (stderr in the CLI). */
  status(text: string): void;
  /** A question of the PBX only the technician can answer (the circle of a first login with a card). */
  answer(prompt: string): Promise<string>;
}

async function open(spec: string): Promise<Duplex> {
  try {
    return await connectLine(parseLineSpec(spec, 'connect'));
  } catch (err) {
    if (err instanceof LineSpecError) throw new ExitError(err.message, EXIT.usage);
    throw new ExitError((err as Error).message, EXIT.connection);
  }
}

/** Turn a failed session step into a link error: a closed line is a dropped line, a refusal an access failure (the reason names which). */
function accessError(step: string, err: unknown, client: SessionClient, refused: LinkFailure): ExitError {
  if (err instanceof ExitError) return err;
  const msg = (err as Error).message;
  if (client.closed && !(err instanceof SessionError && err.reply)) return new LinkError(`${step}: the line was dropped (${msg})`, EXIT.access, 'line-dropped');
  return err instanceof SessionError && err.reply ? new LinkError(`${step}: ${msg}`, EXIT.access, refused) : new LinkError(`${step}: ${msg}`, EXIT.connection, 'no-connection');
}

/** Read until the PIN prompt, or fail with what the PBX said instead (e.g. modem access blocked). */
async function pinPrompt(client: SessionClient): Promise<void> {
  const text = await client.expect(/PIN: |BYE [^\r\n]*\r?\n|NO CARRIER\r?\n/);
  if (!text.endsWith('PIN: ')) {
    const why = /ERROR \d+ [^\r\n]*/.exec(text)?.[0] ?? text.trim().split(/\r?\n/).pop();
    throw new LinkError(`the PBX refused the call: ${why}`, EXIT.access, 'modem-refused');
  }
}

export interface Link {
  client: SessionClient;
  /** The byte stream under the client, for paced frame uploads. */
  stream: Duplex;
}

/**
 * How an already open byte stream reaches the admin session: `direct` (a
 * local admin port; a LAN teleservice connection gives its `pin` first),
 * or through the modem at its end (`dial` with PIN, `callback`).
 */
export type SessionRoute =
  | { kind: 'direct'; pin?: string }
  | { kind: 'dial'; number: string; pin: string }
  | { kind: 'callback'; number: string; index: number; code: string };

/** Connect, get through PIN or callback, log in. The returned client is in machine mode. */
export async function openLink(plan: LinkPlan, creds: Credentials, events: LinkEvents, timeoutMs = 15_000): Promise<Link> {
  const stream = await open(plan.kind === 'direct' ? plan.line : plan.modem);
  const route: SessionRoute = plan.kind === 'direct' ? { kind: 'direct' } : plan;
  return { client: await enterSession(stream, route, creds, events, { timeoutMs }), stream };
}

/**
 * The shared middle of every remote session (the technician's assistant,
 * the centre's maintenance visits, the portal's "test now"): on an open
 * stream, get through the modem dial and PIN or the callback, then log in.
 * Resolves with a client in machine mode; on failure the stream is closed
 * and an ExitError says why (EXIT.dial, EXIT.access, EXIT.connection) — a
 * `LinkError` with the reason (busy, no answer, wrong PIN, …) where the
 * caller must say it in words rather than as an exit code.
 */
export async function enterSession(stream: Duplex, route: SessionRoute, creds: Credentials, events: LinkEvents, options: SessionClientOptions = {}): Promise<SessionClient> {
  const client = new SessionClient(stream, { timeoutMs: 15_000, ...options });
  try {
    if (route.kind !== 'direct') {
      await resetModem(client);
      events.status(`dialling ${route.number} …`);
      events.status(await dial(client, route.number));
      await pinPrompt(client).catch((err: unknown) => {
        throw accessError('PIN prompt', err, client, 'modem-refused');
      });
      if (route.kind === 'dial') await givePin(client, route.pin);
      else {
        client.write(`CALLBACK ${route.index} ${route.code}\r`);
        const r = await client.expect(/CALLBACK REGISTERED[^\r\n]*\r?\n|ERROR \d+ [^\r\n]*\r?\n/);
        if (!/CALLBACK REGISTERED/.test(r)) throw new LinkError(`callback refused: ${/ERROR \d+ [^\r\n]*/.exec(r)?.[0] ?? r.trim()}`, EXIT.access, 'callback-refused');
        events.status(`callback ${route.index} registered; waiting for the PBX to call back …`);
        events.status(await answerCallback(client));
      }
    } else if (route.pin !== undefined) {
      await pinPrompt(client).catch((err: unknown) => {
        throw accessError('PIN prompt', err, client, 'modem-refused');
      });
      await givePin(client, route.pin);
    }
    const card = creds.card;
    const login = card ? client.loginWithCard(card.bytes, card.identity, creds.password, events.answer) : client.login(creds.name, creds.password);
    await login.catch((err: unknown) => {
      throw accessError('login', err, client, 'login-refused');
    });
    return client;
  } catch (err) {
    client.close();
    if (err instanceof ExitError) throw err;
    throw new ExitError((err as Error).message, EXIT.connection);
  }
}

async function givePin(client: SessionClient, pin: string): Promise<void> {
  client.write(`${pin}\r`);
  const r = await client.expect(/PIN accepted\r?\n|ERROR \d+ [^\r\n]*\r?\n/);
  if (!/PIN accepted/.test(r)) throw new LinkError(`PIN refused: ${/ERROR \d+ [^\r\n]*/.exec(r)?.[0] ?? r.trim()}`, EXIT.access, 'pin-refused');
}
