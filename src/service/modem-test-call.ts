import type { Clock } from '../../core/clock.js';
import type { Duplex } from 'node:stream';
import { pushStream } from '../adapters/push-stream.js';
import { enterSession, type SessionRoute } from '../assistant/assistant-link.js';
import { CALLBACK_WAIT_MS, DIAL_TIMEOUT_MS, LinkError, type LinkFailure } from '../assistant/modem-dialer.js';
import type { Centre } from '../centre/centre.js';
import { ESCAPE_GUARD_MS, GUARD_MARGIN_MS } from '../centre/centre-receiver.js';
import { EVENTS_TOPIC } from '../centre/supervision-store.js';
import { SessionClient } from '../clients/session-client.js';
import type { DeviceCommands } from '../database/device-commands.js';
import type { EventBus } from '../database/event-bus.js';
import type { EventLog } from '../database/event-log.js';
import type { DeviceAccess, MaintenanceAccess } from '../database/maintenance-access.js';
import type { Logger } from '../logger.js';

/** Bus topic: "a test by modem was queued for `deviceId` as command `commandId`"; a process with centre modems takes it. */
export const TEST_CALL_TOPIC = 'test-call';
/** Event type of a test call's outcome (docs/portal.md): the page shows it live, the device's history keeps it. */
export const TEST_CALL_EVENT = 'test-call';
/** The command fields of a test the centre carries by modem rather than in a check-in's ack. */
export const BY_MODEM = 'modem';
/** A modem busy with a report is asked again this often, this many times (a report takes well under a minute). */
export const MODEM_WAIT_STEP_MS = 5_000;
export const MODEM_WAIT_TRIES = 12;
/** Each session step (PIN prompt, login, a command) may take this long over a modem line. */
export const SESSION_STEP_MS = 20_000;
/**
 * After the pseudo error is entered, the PBX signals it at the end of its
 * signaling interval (spec §3.4: 1–15 min) by calling the centre; the call
 * and the report take about a minute more.
 */
export const REPORT_SLACK_MS = 2 * 60_000;
/**
 * How long the page waits for the call's outcome: the centre's modem may be
 * busy with a report first, then the dial (and for a callback the PBX's call
 * back) and a few session steps.
 */
export const TEST_CALL_DIAL_MS = MODEM_WAIT_STEP_MS * MODEM_WAIT_TRIES + DIAL_TIMEOUT_MS + 4 * SESSION_STEP_MS;
export const TEST_CALL_CALLBACK_MS = TEST_CALL_DIAL_MS + CALLBACK_WAIT_MS;
/** Seed 003: the signaling interval is counted in minutes; 15 when the KDS holds nothing better. */
const INTERVAL_UNIT_MS = 60_000;
const DEFAULT_INTERVAL_MIN = 15;

/** What became of a test call; `entered` means the PBX took the test and its report is on its way. */
export type TestCallOutcome = 'entered' | LinkFailure | 'no-access' | 'modem-busy' | 'test-refused';

/** What a person reads on the device page for each outcome (the reason in the PBX's or modem's words follows). */
const OUTCOME_TEXT: Record<Exclude<TestCallOutcome, 'entered'>, string> = {
  busy: "The PBX's line was busy (BUSY): nothing was tested. Try again in a few minutes.",
  'no-answer': 'The PBX did not answer the call (NO ANSWER): nothing was tested. Is its IMOD number right and the modem card in?',
  'no-carrier': 'The call to the PBX failed (NO CARRIER): nothing was tested. The number may be unreachable, or the PBX refused the call.',
  'no-dialtone': "The centre's modem has no dial tone: nothing was tested. Its line is down.",
  'modem-error': "The centre's modem refused the dial command: nothing was tested.",
  'modem-silent': "The centre's modem does not answer: nothing was tested.",
  'modem-refused': 'The PBX answered but refuses modem access (no customer PIN set there yet?): nothing was tested.',
  'pin-refused': "The PBX refused the customer PIN stored for it: nothing was tested. Set the right one in the PBX's access (hicom-sim maintenance access set).",
  'callback-refused': "The PBX refused the callback (index or code wrong): nothing was tested. Set the right ones in the PBX's access (hicom-sim maintenance access set).",
  'no-callback': 'The PBX took the callback request but did not call back in time: nothing was tested.',
  'login-refused': 'The PBX refused the login of the stored user (wrong password, or locked for a while): nothing was tested.',
  'line-dropped': 'The line to the PBX dropped before the test was entered: nothing was tested. Try again.',
  'no-connection': 'No session could be opened with the PBX: nothing was tested.',
  'no-access': 'The centre has no modem access stored for this PBX (hicom-sim maintenance access set … --modem NUMBER): it cannot call it.',
  'modem-busy': "The centre's modems stayed busy receiving reports: nothing was tested. Try again in a minute.",
  'test-refused': 'The PBX refused the function test (the stored user needs the System maintenance circle): nothing was tested.',
};

export interface TestCallOptions {
  modems: Centre;
  /** The stored access of each PBX (absent: none, every call says so). */
  access: MaintenanceAccess | undefined;
  commands: DeviceCommands;
  events: EventLog;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** How long after the test is entered its report is awaited (`centre serve --test-report-wait`); absent: the PBX's signaling interval + REPORT_SLACK_MS. */
  reportWaitMs?: number;
}

/**
 * "Test now" for a PBX without the LAN option (issue 12): the centre takes
 * one of its modems out of receive mode, reaches the PBX by dialling in with
 * the customer PIN or by callback (spec §3.3; the steps are the assistant's
 * `enterSession`, shared with the maintenance visits), logs in with the
 * access stored sealed for the device (`maintenance_access`),
 * enters the function test (`signaling test`), logs out and hands the modem
 * back to receive mode. The PBX then reports the pseudo error by its normal
 * error signaling call into that receiver, and the portal shows it live.
 * The outcome of the call — the test entered, or why not (busy, no answer,
 * wrong PIN, …) — becomes a `test-call` event of the device and the
 * command's result; secrets are opened for the call only and never logged.
 */
export class ModemTestCall {
  readonly #o: TestCallOptions;
  readonly #log: Logger;

  constructor(options: TestCallOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'test-call' });
  }

  /** Carry command `commandId` (a `test` queued by modem) of `deviceId`, unless another process took it already. */
  async run(deviceId: string, commandId: number): Promise<TestCallOutcome | undefined> {
    const { commands, clock } = this.#o;
    if (!(await commands.claim(deviceId, commandId, clock.now()))) return undefined;
    let outcome: TestCallOutcome;
    let reason = '';
    let waitMs = 0;
    try {
      const r = await this.#call(deviceId);
      ({ outcome, reason, waitMs } = r);
    } catch (err) {
      outcome = 'no-connection';
      reason = (err as Error).message;
    }
    const text = outcome === 'entered' ? `The PBX took the function test; it reports it by modem within about ${spokenWait(waitMs)}.` : OUTCOME_TEXT[outcome];
    this.#log.info({ deviceId, command: commandId, outcome }, 'test call ended');
    const now = clock.now();
    await commands.complete(deviceId, commandId, { result: outcome, detail: reason ? `${text} (${reason})` : text }, now);
    await this.#o.events.add({ deviceId, source: 'supervision', type: TEST_CALL_EVENT, occurredAt: now, receivedAt: now, life: 'cleared', data: { outcome, text, ...(reason ? { reason } : {}), ...(waitMs ? { waitMs } : {}), command: commandId } });
    await this.#o.bus.publish({ topic: EVENTS_TOPIC }).catch(() => undefined);
    return outcome;
  }

  async #call(deviceId: string): Promise<{ outcome: TestCallOutcome; reason: string; waitMs: number }> {
    const access = (await this.#o.access?.of([deviceId]))?.get(deviceId);
    if (!access?.modem) return { outcome: 'no-access', reason: '', waitMs: 0 };
    const lent = await this.#lendModem();
    if (!lent) return { outcome: 'modem-busy', reason: '', waitMs: 0 };
    // The session runs on a relay: whatever becomes of it, the modem itself is hung up before it goes back.
    const relay = relayOf(lent.stream);
    try {
      const client = await enterSession(relay, routeOf(access, access.modem), { name: access.serviceUser, password: access.password }, {
        status: (text) => this.#log.debug({ deviceId, modem: lent.name }, text),
        answer: async (prompt) => {
          throw new Error(`the PBX asked "${prompt.trim()}", which only a person can answer`);
        },
      }, { timeoutMs: SESSION_STEP_MS });
      try {
        const entered = await client.command('signaling test');
        if (!entered.ok) return { outcome: 'test-refused', reason: `ERROR ${entered.code} ${entered.message}`, waitMs: 0 };
        const interval = await client.command('kds show signaling.interval');
        const minutes = Number(/signaling\.interval\D*(\d+)/.exec(interval.lines.join('\n'))?.[1] ?? DEFAULT_INTERVAL_MIN);
        await logOut(client);
        return { outcome: 'entered', reason: entered.message, waitMs: this.#o.reportWaitMs ?? minutes * INTERVAL_UNIT_MS + REPORT_SLACK_MS };
      } finally {
        client.close();
      }
    } catch (err) {
      if (err instanceof LinkError) return { outcome: err.reason, reason: err.message, waitMs: 0 };
      return { outcome: 'no-connection', reason: (err as Error).message, waitMs: 0 };
    } finally {
      relay.destroy();
      await hangUpModem(new SessionClient(lent.stream, { timeoutMs: SESSION_STEP_MS }), (ms) => this.#wait(ms));
      lent.stream.destroy();
    }
  }

  async #lendModem(): Promise<{ stream: Duplex; name: string } | undefined> {
    for (let n = 0; n < MODEM_WAIT_TRIES; n++) {
      const lent = this.#o.modems.lendModem();
      if (lent) return lent;
      await this.#wait(MODEM_WAIT_STEP_MS);
    }
    return undefined;
  }

  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.#o.clock.setTimer(ms, resolve));
  }
}

/** A wait in words: seconds under two minutes, else whole minutes (rounded up). */
function spokenWait(ms: number): string {
  return ms < 120_000 ? `${Math.ceil(ms / 1000)} s` : `${Math.ceil(ms / 60_000)} min`;
}

/** Dial in with the customer PIN, or ask for the callback its access names (spec §3.3). */
function routeOf(a: DeviceAccess, modem: NonNullable<DeviceAccess['modem']>): SessionRoute {
  return modem.callbackIndex === undefined ? { kind: 'dial', number: modem.number, pin: a.pin } : { kind: 'callback', number: modem.number, index: modem.callbackIndex, code: a.callbackCode ?? '' };
}

/** A stream onto `inner` that can be closed (by the session, on failure) without letting go of `inner`. */
function relayOf(inner: Duplex): Duplex {
  const relay = pushStream((chunk) => inner.write(chunk));
  const forward = (d: Buffer) => relay.push(d);
  inner.on('data', forward);
  relay.on('close', () => inner.off('data', forward));
  return relay;
}

/** Log out: on a modem line the PBX then hangs up (session `logout`), and the modem says NO CARRIER. */
async function logOut(client: SessionClient): Promise<void> {
  client.write('logout\r');
  await client.expect(/NO CARRIER\r?\n/).catch(() => undefined);
}

/**
 * Whatever happened, leave the modem on hook and in command mode before it
 * goes back to receive mode: guard time, `+++`, guard time, `ATH`
 * (V.250 §6.3.6; S12 = 1 s). A modem already on hook answers OK or ERROR.
 */
async function hangUpModem(client: SessionClient, wait: (ms: number) => Promise<void>): Promise<void> {
  if (client.closed) return;
  // Guard, +++, guard, ATH (V.250 §6.3.6).
  await wait(ESCAPE_GUARD_MS + GUARD_MARGIN_MS);
  client.write('+++');
  await wait(ESCAPE_GUARD_MS + GUARD_MARGIN_MS);
  client.write('ATH\r');
  await client.expect(/(OK|ERROR)\r?\n/, 5_000).catch(() => undefined);
}
