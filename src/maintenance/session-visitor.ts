import type { Clock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { endpointStream } from '../adapters/endpoint-stream.js';
import { enterSession, type SessionRoute } from '../assistant/assistant-link.js';
import type { SessionClient } from '../clients/session-client.js';
import type { DeviceAccess } from '../database/maintenance-access.js';
import { ByteMeter } from './byte-meter.js';
import type { ConnectResult, DeviceVisitor, VisitChannel, VisitContext } from './maintenance-runner.js';
import { watchCarrier } from './carrier-watch.js';
import { SessionVisitLink, type UnansweredTests, type VisitWork } from './session-visit-link.js';

/**
 * How a visit's line is opened — the injected connection, so the same
 * visitor runs over real sockets and modems and, in virtual time, over
 * in-process lines to firmware PBXs.
 */
export interface VisitLines {
  /** A connection to the PBX's LAN teleservice port from the provider network; rejects with the network's reason. */
  lan(deviceId: string, lan: NonNullable<DeviceAccess['lan']>): Promise<LineEndpoint>;
  /** The DTE side of one of the centre's modems (the runner keeps at most that many modem visits at once). */
  modem(deviceId: string): Promise<LineEndpoint>;
}

export interface SessionVisitorOptions extends VisitWork {
  /** How each device is reached, with its secrets. */
  access: ReadonlyMap<string, DeviceAccess>;
  lines: VisitLines;
  /** Whether the provider network is joined to the device's LAN now (false after `maintenance deactivate`). */
  lanJoined?(deviceId: string): boolean;
  /** How long any one answer of the PBX or the modem may take. */
  sessionTimeoutMs?: number;
  /** The clock those timeouts run on (the runner's; default the wall clock). */
  clock?: Clock;
}

/** The default wait for one answer: a dial with training takes up to a minute and a half (modem-dialer.ts). */
const SESSION_TIMEOUT_MS = 15_000;

/**
 * The real visitor behind the runner (spec §5.4, docs/maintenance-plans.md):
 * over the LAN where the PBX has teleservice and the provider network is
 * joined, otherwise by the centre's modem with the PIN, or with the callback
 * the PBX's KDS configures; then the customer PIN and the login as the
 * plan's service user, through the same `enterSession` the technician's
 * assistant uses. A PBX on which anyone else is logged in (`show sessions`)
 * or whose modem answers BUSY (a technician dialled in) is busy: left for
 * later, never disturbed.
 */
export class SessionVisitor implements DeviceVisitor {
  /** Function tests asked for whose answer a broken line swallowed, by visit (SessionVisitLink). */
  readonly #unanswered: UnansweredTests = new Map();

  constructor(private readonly o: SessionVisitorOptions) {}

  channelOf(deviceId: string): VisitChannel {
    const access = this.o.access.get(deviceId);
    return access?.lan && (this.o.lanJoined?.(deviceId) ?? true) ? 'lan' : 'modem';
  }

  async connect(ctx: VisitContext): Promise<ConnectResult> {
    const id = ctx.deviceId;
    const access = this.o.access.get(id);
    if (!access) return refuse(`no access for ${id}: give it with "hicom-sim maintenance access set ${id} …"`);
    if (access.serviceUser.toLowerCase() !== ctx.plan.serviceUser.toLowerCase()) {
      return refuse(`the access of ${id} logs in as ${access.serviceUser}, the plan visits as ${ctx.plan.serviceUser}: set the plan's service user and its password with "maintenance access set"`);
    }
    const said: string[] = [];
    if (access.lan) {
      if (this.channelOf(id) === 'lan') {
        let lan: LineEndpoint | undefined;
        try {
          lan = await this.o.lines.lan(id, access.lan);
        } catch (err) {
          // The LAN connect failed (refused, timed out, no route): the same visit goes on by modem where the PBX has one.
          said.push(`LAN teleservice ${access.lan.host}:${access.lan.port} failed: ${(err as Error).message}`);
        }
        if (lan) return this.#enter(ctx, access, lan, { kind: 'direct', pin: access.pin }, 'lan', said);
      } else said.push(`the LAN of ${id} is not joined to the provider network (deactivated)`);
      if (!access.modem) return refuse([...said, `${id} has no modem access to fall back to`].join('\n'));
      said.push(`falling back to the modem (${access.modem.callbackIndex === undefined ? 'dial-in' : 'callback'})`);
    }
    const route = modemRoute(access);
    if (typeof route === 'string') return refuse([...said, route].join('\n'));
    let line: LineEndpoint;
    try {
      line = await ctx.idle(this.o.lines.modem(id));
    } catch (err) {
      return refuse([...said, `centre modem: ${(err as Error).message}`].join('\n'));
    }
    return this.#enter(ctx, access, line, route, 'modem', said);
  }

  /**
   * On an open line: through the dial and PIN or the callback, the login,
   * and `show sessions`. Resolves with the visit's link, or why not.
   */
  async #enter(ctx: VisitContext, access: DeviceAccess, line: LineEndpoint, route: SessionRoute, channel: VisitChannel, said: string[]): Promise<ConnectResult> {
    const meter = new ByteMeter(line);
    let client: SessionClient;
    try {
      client = await enterSession(endpointStream(meter), route, { name: access.serviceUser, password: access.password }, {
        status: (text) => said.push(text),
        answer: () => Promise.reject(new Error('the PBX asks what only a technician at the keyboard can answer')),
      }, { timeoutMs: this.o.sessionTimeoutMs ?? SESSION_TIMEOUT_MS, waiting: (p) => ctx.idle(p), ...(this.o.clock ? { clock: this.o.clock } : {}) });
    } catch (err) {
      const why = (err as Error).message;
      // BUSY at the dial: the PBX's modem is taken, by a technician dialled in or by the PBX itself.
      return refuse([...said, why].join('\n'), meter.bytes, /: BUSY\b/.test(why));
    }
    said.push(`logged in as ${access.serviceUser} over ${channel === 'lan' ? `the LAN (${line.description})` : `modem ${route.kind === 'callback' ? 'callback' : 'dial-in'}`}`);
    const link = new SessionVisitLink(client, meter, channel, this.o, this.#unanswered);
    // From here a modem that loses the carrier has dropped the visit's line: the link learns it at once.
    if (channel === 'modem') watchCarrier(line, (why) => link.lineLost(why));
    const sessions = await client.command('show sessions').catch((err: Error) => err);
    if (sessions instanceof Error) {
      client.close();
      return refuse([...said, `the line broke: ${sessions.message}`].join('\n'), meter.bytes);
    }
    // Unmarked lines are other people's sessions: never work beside them.
    const others = sessions.lines.filter((l) => /^ +\d+ /.test(l));
    if (others.length > 0) {
      const closed = await link.close();
      return refuse([...said, `in use: ${others.map((l) => l.trim().replace(/ +/g, ' ')).join('; ')}`, closed.output].join('\n'), meter.bytes, true);
    }
    return { ok: true, link, channel, output: said.join('\n'), bytes: meter.bytes };
  }
}

function refuse(output: string, bytes = 0, busy = false): ConnectResult {
  return { ok: false, busy, output, bytes };
}

/** How a centre modem reaches the session: the dial with PIN, or the callback. */
function modemRoute(access: DeviceAccess): SessionRoute | string {
  const modem = access.modem;
  if (!modem) return `${access.deviceId} has no modem number`;
  if (modem.callbackIndex === undefined) return { kind: 'dial', number: modem.number, pin: access.pin };
  if (access.callbackCode === undefined) return `callback index ${modem.callbackIndex} of ${access.deviceId} has no code in its access`;
  return { kind: 'callback', number: modem.number, index: modem.callbackIndex, code: access.callbackCode };
}
