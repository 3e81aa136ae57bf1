import type { Clock } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { LineEndpointBase, lineBytes } from '../core/line-endpoint-base.js';
import { HdlcFramer, FCS_OCTETS } from './hdlc-framer.js';
import type { LapbRole } from './lapb-frame.js';
import { LapbState, LapbStation, type LapbLogger, type LapbParams, type LinkDownReason } from './lapb.js';

/**
 * What X.75 runs on: the B channel of a network call, or any byte line
 * (a LineEndpoint from src/adapters/line-pair.ts fits as is). Bytes may arrive split
 * anywhere and later than written; pacing is the channel's business.
 */
export interface ByteChannel {
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Uint8Array) => void): void;
}

export interface X75LinkOptions {
  clock: Clock;
  /** Address role (docs/x75.md: the calling side is the DTE). */
  role: LapbRole;
  params?: Partial<LapbParams>;
  logger?: LapbLogger;
  /** For logs, e.g. "x75 b-channel 4711→200". */
  description?: string;
}

/** Octets of address + control in front of the information field. */
const HEADER_OCTETS = 2;

/**
 * X.75 single link procedure over a byte channel, offering the user data as
 * a LineEndpoint, so the PBX session and the technician's terminal adapter
 * see a plain byte line.
 *
 * Lifecycle: `connect()` sends SABM (both sides may call it; colliding SABMs
 * are resolved by LAPB). `onLinkUp` fires when user data can flow; hand
 * `endpoint` to the upper layer then. Any loss of the link (N2 exhausted,
 * DISC or DM from the peer, FRMR, `endpoint.close()`, `channelClosed()`)
 * closes `endpoint` once, because data that was in flight cannot be
 * vouched for; the station then sends DISC if it can, and `onReleased`
 * fires when LAPB is finished, which is when the call owner hangs up.
 */
export class X75Link {
  readonly station: LapbStation;
  readonly framer: HdlcFramer;
  readonly endpoint: LineEndpoint;
  readonly #channel: ByteChannel;
  readonly #clock: Clock;
  readonly #endpoint: X75Endpoint;
  /** No more bytes in or out. */
  #released = false;
  #finished = false;
  readonly #releasedListeners: Array<(reason: LinkDownReason) => void> = [];
  /** The first cause of the link's end; later ones (our own DISC) are consequences. */
  #downReason: LinkDownReason | undefined;

  constructor(channel: ByteChannel, options: X75LinkOptions) {
    this.#channel = channel;
    this.#clock = options.clock;
    this.station = new LapbStation({
      clock: options.clock,
      role: options.role,
      params: options.params,
      logger: options.logger,
      transmit: (content) => {
        if (!this.#released) this.#channel.write(this.framer.encode(content));
      },
    });
    this.framer = new HdlcFramer({ maxFrameContent: HEADER_OCTETS + this.station.params.n1 + FCS_OCTETS });
    this.framer.onFrame((frame) => this.station.receiveFrame(frame));
    channel.onData((bytes) => {
      if (!this.#released) this.framer.push(bytes);
    });
    this.#endpoint = new X75Endpoint(options.description ?? `x75 ${options.role}`, this);
    this.endpoint = this.#endpoint;
    this.station.onData((data) => this.#endpoint.deliver(data));
    this.station.onLinkDown((reason) => this.#linkDown(reason));
    this.station.onState((state, _previous, reason) => {
      if (state !== LapbState.Disconnected) return;
      this.#downReason ??= reason as LinkDownReason; // entering Disconnected is always a link-down move
      this.#finish();
    });
  }

  /** Start link set-up (SABM). */
  connect(): void {
    if (!this.#released) this.station.connect();
  }

  onLinkUp(listener: () => void): void {
    this.station.onLinkUp(listener);
  }

  /** LAPB is done (disconnected or given up): the owner may hang up the call now. */
  onReleased(listener: (reason: LinkDownReason) => void): void {
    this.#releasedListeners.push(listener);
  }

  /** The call under the link is gone: stop at once, without sending. */
  channelClosed(): void {
    this.#released = true;
    this.#downReason ??= 'destroyed';
    this.#finish();
  }

  /** Endpoint closed by the upper layer: disconnect LAPB gracefully (DISC). */
  closeFromAbove(): void {
    if (this.station.state === LapbState.Disconnected) this.#finish();
    else this.station.disconnect();
  }

  /** The link never came up and the owner gives up on it: finish at once, without sending (the peer never spoke). */
  giveUpSetup(): void {
    if (this.#finished || this.station.isUp) return;
    this.#downReason ??= 'setup-timeout';
    this.#finish();
  }

  get isUp(): boolean {
    return this.station.isUp;
  }

  #linkDown(reason: LinkDownReason): void {
    this.#downReason ??= reason;
    this.#endpoint.closeFromBelow();
    // Act after the station has finished the step that reported link-down.
    this.#clock.setTimer(0, () => {
      if (this.#finished) return;
      if (reason === 'n2-exceeded') this.#finish(); // the peer is unreachable: a DISC would go unanswered too
      else if (this.station.state !== LapbState.Disconnected) this.station.disconnect();
    });
  }

  /** LAPB finished: endpoint closed first, then the owner is told once. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#released = true;
    this.station.destroy();
    this.#endpoint.closeFromBelow();
    for (const l of this.#releasedListeners) l(this.#downReason ?? 'local-disconnect');
  }
}

/**
 * The user-data side. X.75 carries no modem lines: `setLines` is a no-op and
 * `onControl` never fires, as the LineEndpoint contract allows for
 * line-less transports. Writes before link set-up are queued by LAPB;
 * writes after the link is gone are dropped.
 */
class X75Endpoint extends LineEndpointBase {
  constructor(readonly description: string, private readonly link: X75Link) {
    super();
  }

  write(data: Uint8Array | string): void {
    if (this.closed) return;
    const state = this.link.station.state;
    if (state === LapbState.Disconnected || state === LapbState.DisconnectRequest) return;
    this.link.station.send(lineBytes(data));
  }

  close(): void {
    if (this.closed) return;
    this.closeFromBelow();
    this.link.closeFromAbove();
  }

  deliver(data: Uint8Array): void {
    this.emitData(data);
  }

  closeFromBelow(): void {
    this.markClosed();
  }
}
