import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { TcpConnector } from '../../core/tcp-connector.js';
import type { CallFailure, CallTerminal, ExchangeLine, IncomingCall, OfferReply, OutgoingCall } from '../../core/call.js';
import { bridgeLink, type BridgeCapabilities } from '../../modem/bridge-pump.js';
import { DEFAULT_RING_CADENCE_MS, type Exchange } from './exchange.js';

/**
 * Bridge mode (docs/bridge.md), what tcpser does for a modem: calls leave
 * the emulated telephone network for a real TCP host, and TCP callers ring
 * a modem. This is the network's side of it, pure logic on the exchange's
 * clock; the sockets are behind core's `TcpConnector` (src/adapters/tcp-client-line.ts)
 * and the lab's per-modem listeners.
 */

export interface InternetGatewayOptions {
  connector: TcpConnector;
  /** Number or name → `host[:port]`, like tcpser's `-n` (port 23 when none is given). */
  phoneBook?: Readonly<Record<string, string>>;
  /** The rate every bridged call reports and is paced at (tcpser's `-S`; default 38400). */
  rateBps?: number;
  /** Bridged calls at once (default 64). */
  channels?: number;
}

/** tcpser reports its serial speed, 38400 unless told otherwise. */
export const DEFAULT_BRIDGE_RATE_BPS = 38_400;
/** Telnet's port, where a host without one is dialled (as tcpser does). */
export const DEFAULT_TCP_PORT = 23;
const DEFAULT_CHANNELS = 64;
/** A TCP caller the modem does not answer is told so after ten rings, as tcpser tells it. */
export const NO_ANSWER_RINGS = 10;
/** What a TCP caller reads before the connection is closed, byte for byte as tcpser sends it. */
export const CALLER_BUSY_TEXT = 'BUSY\n';
export const CALLER_NO_ANSWER_TEXT = 'NO ANSWER\n';
/** When the modem's side ends otherwise (no such number, handshake failed). */
export const CALLER_NO_CARRIER_TEXT = 'NO CARRIER\n';

export interface TcpAddress {
  host: string;
  port: number;
}

/** `host`, `host:port` or `[v6]:port`; undefined for anything else. */
export function parseTcpAddress(text: string): TcpAddress | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9][a-z0-9.-]*))(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? DEFAULT_TCP_PORT : Number(m[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: (m[1] ?? m[2]).toLowerCase(), port };
}

export class InternetGateway implements CallTerminal {
  readonly rateBps: number;
  readonly #connector: TcpConnector;
  readonly #phoneBook: Map<string, TcpAddress>;
  readonly #channels: number;
  #line: ExchangeLine | undefined;

  constructor(options: InternetGatewayOptions) {
    this.#connector = options.connector;
    this.rateBps = options.rateBps ?? DEFAULT_BRIDGE_RATE_BPS;
    this.#channels = options.channels ?? DEFAULT_CHANNELS;
    this.#phoneBook = new Map();
    for (const [key, target] of Object.entries(options.phoneBook ?? {})) {
      const address = parseTcpAddress(target);
      if (!address) throw new RangeError(`phone book entry ${key}: "${target}" is not host[:port]`);
      this.#phoneBook.set(key.toLowerCase(), address);
    }
  }

  /** Put the gateway into the network: from now on addresses and phone-book entries route here. */
  attach(exchange: Exchange): void {
    this.#line = exchange.addGateway(this, (dialled) => this.#resolve(dialled) !== undefined, { channels: this.#channels });
  }

  /** Where a dialled string goes: a phone-book entry first (digits as dialled, names in any case), then a literal address. */
  #resolve(dialled: string): TcpAddress | undefined {
    const key = dialled.toLowerCase();
    return this.#phoneBook.get(key) ?? this.#phoneBook.get(key.replace(/[^0-9*#]/g, '')) ?? (/[.:a-z]/.test(key) ? parseTcpAddress(key) : undefined);
  }

  /** A modem dialled out: connect, ringing meanwhile (so the modem's S7 gives NO ANSWER). */
  offerCall(call: IncomingCall): OfferReply {
    const address = this.#resolve(call.called);
    if (!address || (call.offer.bearer !== 'analog' && call.offer.bearer !== 'internet')) return 'busy';
    let tcp: LineEndpoint | undefined;
    const attempt = this.#connector.connect(address.host, address.port, {
      connected: (line) => {
        tcp = line;
        // A BBS greets at once: keep what comes before the modem's side is through.
        const early: Uint8Array[] = [];
        let through = false;
        let gone = false;
        line.onData((b) => { if (!through) early.push(b); });
        line.onClose(() => { gone = true; });
        call.answer(bridgeLink(this.rateBps), (path) => {
          through = true;
          for (const b of early) path.write(b);
          // The host may have hung up during the (instant) handshake: CONNECT, then NO CARRIER.
          if (gone) path.close();
          else bridge(path, line);
        });
      },
      failed: (reason) => call.reject(reason === 'refused' ? 'busy' : 'unreachable'),
    });
    call.onCancel(() => {
      attempt.cancel();
      tcp?.close();
    });
    return 'ringing';
  }

  /**
   * A TCP caller on a modem's listener: the modem at `number` rings; once it
   * answers (ATA, S0) the two are connected. A busy modem, or one that does
   * not answer within NO_ANSWER_RINGS, is reported to the caller in tcpser's
   * words, and the connection closed.
   */
  incoming(number: string, caller: LineEndpoint): void {
    const line = this.#line;
    if (!line) throw new Error('the internet gateway is not attached to a network');
    const capabilities: BridgeCapabilities = { rateBps: this.rateBps };
    let connected = false;
    const ringCycleMs = DEFAULT_RING_CADENCE_MS.reduce((a, b) => a + b, 0);
    const call: OutgoingCall = line.dial(number, { bearer: 'internet', capabilities }, {
      onConnect: (path) => {
        connected = true;
        bridge(path, caller);
      },
      onFail: (reason) => {
        if (reason === 'cancelled') return;
        caller.write(callerText(reason));
        caller.close();
      },
    }, { noAnswerMs: NO_ANSWER_RINGS * ringCycleMs });
    // Whatever the caller sends before the modem answers is lost, as on a line that is still ringing.
    caller.onClose(() => {
      if (!connected) call.cancel();
    });
  }
}

function callerText(reason: Exclude<CallFailure, 'cancelled'>): string {
  if (reason === 'busy') return CALLER_BUSY_TEXT;
  if (reason === 'no-answer') return CALLER_NO_ANSWER_TEXT;
  return CALLER_NO_CARRIER_TEXT;
}

/** Bytes both ways; either side going away hangs up the other (NO CARRIER at the modem). */
function bridge(path: LineEndpoint, tcp: LineEndpoint): void {
  path.onData((b) => tcp.write(b));
  tcp.onData((b) => path.write(b));
  path.onClose(() => tcp.close());
  tcp.onClose(() => path.close());
}
