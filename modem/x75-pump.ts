import type { Clock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallOffer, LinkInfo } from '../core/call.js';
import type { DataPump } from './data-pump.js';
import type { LapbLogger, LapbParams } from './lapb.js';
import { X75Link } from './x75-link.js';

/** An ISDN B channel carries 64 kbit/s (ITU-T I.430/I.231.1), unframed: 8,000 octets per second. */
export const B_CHANNEL_BPS = 64_000;
export const B_CHANNEL_BYTES_PER_SECOND = B_CHANNEL_BPS / 8;
/**
 * Time from the called side's CONNECT (Q.931) to a through-connected B
 * channel. ISDN needs no training; LAPB's SABM/UA follows on the channel itself.
 */
export const B_CHANNEL_CONNECT_MS = 100;
/** The text after "CONNECT " that ISDN terminal adapters report for X.75. */
export const X75_CONNECT_TEXT = '64000/X75';

/** What an X.75 caller puts into its offer (the exchange does not look inside). */
export interface X75Capabilities {
  layer2: 'X75';
}

/**
 * How long the answering side (the DCE) waits for the caller's SABM before
 * it hangs up: as long as a DTE's own link set-up takes to give up, N2
 * SABMs T1 apart (ISO 7776 §5.7.1, §5.7.3), after which no caller that
 * follows the standard is still trying. X.75 gives the DCE in the
 * disconnected phase no timer of its own; without this one a caller who
 * never sends SABM holds a B channel for ever.
 */
export function linkSetupTimeoutMs(params: Pick<LapbParams, 't1Ms' | 'n2'>): number {
  return params.t1Ms * params.n2;
}

export interface X75Options {
  clock: Clock;
  params?: Partial<LapbParams>;
  logger?: LapbLogger;
}

/** The fixed link of every X.75 call: a clear 64 kbit/s B channel. */
export function x75LinkInfo(): LinkInfo {
  return { rateBps: B_CHANNEL_BPS, bytesPerSecond: B_CHANNEL_BYTES_PER_SECOND, connectText: X75_CONNECT_TEXT, handshakeMs: B_CHANNEL_CONNECT_MS };
}

/**
 * Run X.75 (LAPB) over a connected B channel (docs/x75.md: the calling side
 * is the DTE and sends SABM; the answering side, the DCE, waits for it,
 * `linkSetupTimeoutMs` at most).
 * When LAPB is finished the call is hung up; when the call drops, LAPB
 * stops at once.
 */
export function startX75(path: LineEndpoint, role: 'originate' | 'answer', options: X75Options): X75Link {
  const link = new X75Link(path, {
    clock: options.clock,
    role: role === 'originate' ? 'dte' : 'dce',
    params: options.params,
    logger: options.logger,
    description: `x75 ${path.description}`,
  });
  // Deferred one tick: on an unpaced path the release can arrive synchronously
  // from inside this station's own frame handling (our UA to the peer's DISC
  // completes the peer, which hangs up at once), and LAPB must finish that step first.
  path.onClose(() => options.clock.setTimer(0, () => link.channelClosed()));
  link.onReleased(() => path.close());
  if (role === 'originate') link.connect();
  else {
    const setup = options.clock.setTimer(linkSetupTimeoutMs(link.station.params), () => link.giveUpSetup());
    link.onLinkUp(() => setup.cancel());
    link.onReleased(() => setup.cancel());
  }
  return link;
}

/**
 * The data pump of an ISDN terminal adapter (the Hayes modem's 'isdn-ta'
 * profile, selected with AT+BX75): a digital call, reported as
 * `CONNECT 64000/X75`, whose user data travels in LAPB I frames, so line
 * errors are corrected and never reach the terminal.
 */
export class X75Pump implements DataPump {
  readonly name = 'x75';

  constructor(private readonly options: X75Options) {}

  offer(): CallOffer {
    const capabilities: X75Capabilities = { layer2: 'X75' };
    return { bearer: 'digital', capabilities };
  }

  answer(offer: CallOffer): LinkInfo | null {
    const caps = offer.capabilities as Partial<X75Capabilities> | undefined;
    return offer.bearer === 'digital' && caps?.layer2 === 'X75' ? x75LinkInfo() : null;
  }

  attach(path: LineEndpoint, _link: LinkInfo, role: 'originate' | 'answer'): LineEndpoint {
    return startX75(path, role, this.options).endpoint;
  }
}
