import type { Clock, TimerHandle } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';
import { SeededRandom } from '../../core/seeded-random.js';

/** Path-level options of one connected call. */
export interface DataPathOptions {
  /** Bytes per second each direction carries; ignored when `pacing` is false. */
  bytesPerSecond: number;
  pacing: boolean;
  latencyMs: number;
  corruptRate: number;
  corruptSeed: number;
  /** Release after this many bytes have crossed (both directions together). */
  dropAfterBytes: number | undefined;
  /** Called once when the path goes down, with who caused it. */
  onRelease(cause: ReleaseCause): void;
  /** Per direction (0: caller → called, 1: back), what the line does to the bytes (voice impairments). */
  transforms?: readonly [(bytes: Uint8Array) => Uint8Array, (bytes: Uint8Array) => Uint8Array];
  /** Sees every chunk as its sender sent it (before the line corrupts it), for traces. */
  tap?: (direction: 0 | 1, bytes: Uint8Array) => void;
}

export type ReleaseCause = 'end-a' | 'end-b' | 'network';

/**
 * Pacing tick: bytes leave in batches at most this far apart, small enough
 * that a reader sees a steady stream, large enough that a 5-minute transfer
 * is not millions of timers.
 */
const PACING_TICK_MS = 10;

/**
 * One direction of the path: a queue that sends bytes at `bytesPerSecond`
 * in clock time. `#sentUntil` is the instant the last sent byte finished, so
 * rounding never accumulates and the long-run rate is exact.
 */
class PacedPipe {
  #queue: Uint8Array[] = [];
  /** Bytes of `#queue[0]` already sent: a batch takes its part of a chunk without cutting a new view for the rest. */
  #headSent = 0;
  #queued = 0;
  #sentUntil = 0;
  #timer: TimerHandle | undefined;
  /** The tick's callback, made once per pipe: a connected call sets a timer per batch, and a fleet carries millions. */
  readonly #onTick = (): void => this.#tick();

  constructor(
    private readonly clock: Clock,
    private readonly bytesPerSecond: number,
    private readonly emit: (bytes: Uint8Array) => void,
  ) {}

  push(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#timer) return;
    this.#sentUntil = Math.max(this.#sentUntil, this.clock.now());
    this.#schedule();
  }

  /** Nothing left to send. */
  get idle(): boolean {
    return this.#queued === 0;
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#queue = [];
    this.#headSent = 0;
    this.#queued = 0;
  }

  #schedule(): void {
    const msPerByte = 1000 / this.bytesPerSecond;
    const firstDue = this.#sentUntil + msPerByte - this.clock.now();
    this.#timer = this.clock.setTimer(Math.max(PACING_TICK_MS, Math.ceil(firstDue)), this.#onTick);
  }

  #tick(): void {
    this.#timer = undefined;
    const msPerByte = 1000 / this.bytesPerSecond;
    const due = Math.min(this.#queued, Math.floor((this.clock.now() - this.#sentUntil) / msPerByte));
    if (due > 0) {
      this.#sentUntil += due * msPerByte;
      this.emit(this.#take(due));
    }
    if (this.#queued > 0 && !this.#timer) this.#schedule();
  }

  /**
   * The next `n` queued bytes. A batch inside one chunk is a view of it, not a
   * copy: the chunks are the path's own copies of what was written
   * (`PathEnd.write`) and nothing writes into them again.
   */
  #take(n: number): Uint8Array {
    this.#queued -= n;
    const first = this.#queue[0];
    if (first.length - this.#headSent >= n) return this.#advance(first, n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#queue[0];
      const take = Math.min(head.length - this.#headSent, n - filled);
      out.set(this.#advance(head, take), filled);
      filled += take;
    }
    return out;
  }

  /** `n` bytes of the head chunk, and the head moves on (to the next chunk when it is used up). */
  #advance(head: Uint8Array, n: number): Uint8Array {
    const from = this.#headSent;
    const part = from === 0 && n === head.length ? head : head.subarray(from, from + n);
    this.#headSent += n;
    if (this.#headSent === head.length) {
      this.#queue.shift();
      this.#headSent = 0;
    }
    return part;
  }
}

/**
 * One end of a connected call, as a LineEndpoint. `close()` is an orderly
 * hang-up: what this end wrote before still reaches the far end (a modem
 * sends its transmit buffer before it drops the carrier), then the call is
 * released. A listener added to an end that is already closed is called on
 * the next clock tick, so an owner that attaches late still learns of it.
 * A network path has no modem control lines of its own.
 */
class PathEnd extends LineEndpointBase {
  /** The owner hung up; bytes it wrote are still on their way. */
  closing = false;
  /**
   * The path's side of this end, let go at shut-down. An end is referred to
   * from its owners' objects, and one of those in the old generation that
   * died during the call still counts for the scavenger until the next full
   * collection: through these two closures a closed end then held its whole
   * call (path, pipes, the exchange's call and its listeners), and every
   * connected call of a fleet was copied out of the young generation.
   */
  #send: ((bytes: Uint8Array) => void) | undefined;
  #release: (() => void) | undefined;

  constructor(
    readonly description: string,
    private readonly clock: Clock,
    send: (bytes: Uint8Array) => void,
    release: () => void,
  ) {
    super();
    this.#send = send;
    this.#release = release;
  }

  write(data: Uint8Array | string): void {
    if (this.closed || this.closing) return;
    const bytes = lineBytes(data);
    if (bytes.length) this.#send?.(new Uint8Array(bytes));
  }

  override onClose(listener: () => void): void {
    if (this.closed) this.clock.setTimer(0, listener);
    else super.onClose(listener);
  }

  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.#release?.();
  }

  deliver(bytes: Uint8Array): void {
    if (!this.closing) this.emitData(bytes);
  }

  shutDown(): void {
    this.markClosed();
    this.#send = undefined;
    this.#release = undefined;
  }
}

/**
 * The connected data path of one call: two LineEndpoints, each direction
 * paced at the negotiated rate (or unpaced), with the line's faults applied
 * on the way (latency, seeded corruption, drop after N bytes).
 */
export class DataPath {
  readonly a: LineEndpoint;
  readonly b: LineEndpoint;
  readonly #endA: PathEnd;
  readonly #endB: PathEnd;
  readonly #pipes: PacedPipe[] = [];
  /**
   * One generator per direction, so batching never changes which byte is hit;
   * made at the first corrupted chunk (most lines never corrupt, and every
   * object of a call that lasts seconds is copied out of the young generation).
   */
  readonly #random: [SeededRandom | undefined, SeededRandom | undefined] = [undefined, undefined];
  #crossed = 0;
  /** A cut set while the call was up (`cutAfter`): release when this many bytes in all have crossed. */
  #cutAt: number | undefined;
  #up = true;
  /** Deliveries held until both ends are attached (`open()`), so no early byte is lost. */
  #held: Array<() => void> | undefined = [];
  /** Per direction: deliveries held or delayed by latency, not yet handed over. */
  readonly #inFlight = [0, 0];

  constructor(private readonly clock: Clock, name: string, private readonly options: DataPathOptions) {
    this.#endA = new PathEnd(`${name} (caller end)`, clock, (b) => this.#send(b, this.#endB, 0), () => this.#hangUp(0));
    this.#endB = new PathEnd(`${name} (called end)`, clock, (b) => this.#send(b, this.#endA, 1), () => this.#hangUp(1));
    this.a = this.#endA;
    this.b = this.#endB;
    if (options.pacing) {
      this.#pipes.push(new PacedPipe(clock, options.bytesPerSecond, (b) => this.#transmitted(b, this.#endB, 0)));
      this.#pipes.push(new PacedPipe(clock, options.bytesPerSecond, (b) => this.#transmitted(b, this.#endA, 1)));
    }
  }

  get up(): boolean {
    return this.#up;
  }

  /** Both ends have their listeners: hand over what was sent meanwhile. */
  open(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const deliver of held) deliver();
  }

  /** Cut the path once `bytes` more have crossed (both directions together); 0 cuts it now. */
  cutAfter(bytes: number): void {
    if (bytes <= 0) return this.release('network');
    this.#cutAt = this.#crossed + bytes;
  }

  /** Bring the call down at once (network fault): queued bytes are lost, both ends see `onClose`. */
  release(cause: ReleaseCause): void {
    if (!this.#up) return;
    this.#up = false;
    this.#held = undefined;
    for (const p of this.#pipes) p.stop();
    this.options.onRelease(cause);
    this.#endA.shutDown();
    this.#endB.shutDown();
  }

  /** An end hung up: release once the bytes it sent have left the path. */
  #hangUp(direction: 0 | 1): void {
    if (this.#drained(direction)) this.release(direction === 0 ? 'end-a' : 'end-b');
  }

  #drained(direction: 0 | 1): boolean {
    return this.#inFlight[direction] === 0 && (this.#pipes[direction]?.idle ?? true);
  }

  /** After every hand-over: a hung-up end whose bytes are all through releases the call. */
  #checkDrain(direction: 0 | 1): void {
    const end = direction === 0 ? this.#endA : this.#endB;
    if (end.closing) this.#hangUp(direction);
  }

  #send(bytes: Uint8Array, to: PathEnd, direction: 0 | 1): void {
    if (!this.#up) return;
    if (this.options.pacing) this.#pipes[direction].push(bytes);
    else this.#transmitted(bytes, to, direction);
  }

  /** Bytes have left the sender's modem: count, corrupt, delay, deliver. */
  #transmitted(bytes: Uint8Array, to: PathEnd, direction: 0 | 1): void {
    if (!this.#up) return;
    let out = bytes;
    const drop = this.options.dropAfterBytes;
    const limit = drop === undefined ? this.#cutAt : this.#cutAt === undefined ? drop : Math.min(drop, this.#cutAt);
    const cut = limit !== undefined && this.#crossed + out.length >= limit;
    if (cut) out = out.subarray(0, Math.max(0, limit - this.#crossed));
    this.#crossed += out.length;
    if (this.options.transforms && out.length) out = this.options.transforms[direction](out);
    if (out.length) this.options.tap?.(direction, out);
    if (this.options.corruptRate > 0) out = this.#corrupt(out, (this.#random[direction] ??= new SeededRandom(this.options.corruptSeed + direction)));
    if (out.length) {
      this.#inFlight[direction]++;
      const chunk = out;
      // Most chunks are handed over at once; only a delayed or held one needs a closure (a fleet sends millions).
      if (this.options.latencyMs > 0) this.clock.setTimer(this.options.latencyMs, () => this.#deliverOrHold(() => this.#handOver(chunk, to, direction)));
      else if (this.#held) this.#held.push(() => this.#handOver(chunk, to, direction));
      else this.#handOver(chunk, to, direction);
    } else {
      this.#checkDrain(direction);
    }
    if (cut) this.release('network');
  }

  #handOver(bytes: Uint8Array, to: PathEnd, direction: 0 | 1): void {
    this.#inFlight[direction]--;
    if (this.#up) to.deliver(bytes);
    this.#checkDrain(direction);
  }

  #deliverOrHold(handOver: () => void): void {
    if (this.#held) this.#held.push(handOver);
    else handOver();
  }

  #corrupt(bytes: Uint8Array, random: SeededRandom): Uint8Array {
    const out = Uint8Array.from(bytes);
    for (let i = 0; i < out.length; i++) {
      // XOR with a non-zero mask so a "corrupted" byte really differs.
      if (random.next() < this.options.corruptRate) out[i] ^= 1 + random.int(255);
    }
    return out;
  }
}
