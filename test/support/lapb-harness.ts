import { VirtualClock } from '../../core/clock.js';
import { HdlcFramer } from '../../modem/hdlc-framer.js';
import { decodeLapbFrame, describeLapbFrame, type LapbRole } from '../../modem/lapb-frame.js';
import { LapbStation, type LapbParams } from '../../modem/lapb.js';
import { SeededRandom } from '../../core/seeded-random.js';

export type Direction = 'a>b' | 'b>a';

export interface LapbPairOptions {
  params?: Partial<LapbParams>;
  /** One-way line delay; never zero so nothing is delivered inside the sender's call. */
  latencyMs?: number;
  seed?: number;
  /** Probability that any wire byte is changed (XOR with a random non-zero value). */
  byteErrorRate?: number;
  /** Probability that a whole frame vanishes on the line. */
  frameLossRate?: number;
}

/**
 * Two LAPB stations (A = DTE, B = DCE) joined by HDLC framers and a line
 * with latency and seeded impairments, all on one VirtualClock. `drop` lets
 * a test remove chosen frames; `trace` lists every frame put on the line.
 */
export class LapbPair {
  readonly clock = new VirtualClock(0);
  readonly a: LapbStation;
  readonly b: LapbStation;
  readonly receivedByA: Buffer[] = [];
  readonly receivedByB: Buffer[] = [];
  readonly trace: string[] = [];
  readonly framerA = new HdlcFramer();
  readonly framerB = new HdlcFramer();
  /** Return true to lose this frame on the line. */
  drop: (dir: Direction, content: Uint8Array) => boolean = () => false;
  /** Return a replacement for the wire bytes (e.g. corrupted); identity by default. */
  mangle: (dir: Direction, wire: Uint8Array) => Uint8Array = (_dir, wire) => wire;
  lineUp = true;
  readonly #rnd: SeededRandom;

  constructor(readonly options: LapbPairOptions = {}) {
    this.#rnd = new SeededRandom(options.seed ?? 1);
    this.a = this.#station('dte', 'a>b');
    this.b = this.#station('dce', 'b>a');
    this.framerA.onFrame((f) => this.a.receiveFrame(f));
    this.framerB.onFrame((f) => this.b.receiveFrame(f));
    this.a.onData((d) => this.receivedByA.push(Buffer.from(d)));
    this.b.onData((d) => this.receivedByB.push(Buffer.from(d)));
  }

  #station(role: LapbRole, dir: Direction): LapbStation {
    const peerRole: LapbRole = role === 'dte' ? 'dce' : 'dte';
    return new LapbStation({
      clock: this.clock,
      role,
      params: this.options.params,
      transmit: (content) => {
        const frame = decodeLapbFrame(content, peerRole, 1 << 16);
        this.trace.push(`${dir} ${frame ? describeLapbFrame(frame) : 'undecodable'}`);
        if (!this.lineUp || this.drop(dir, content)) return;
        if (this.#rnd.next() < (this.options.frameLossRate ?? 0)) return;
        const sender = dir === 'a>b' ? this.framerA : this.framerB;
        const receiver = dir === 'a>b' ? this.framerB : this.framerA;
        let wire = this.mangle(dir, sender.encode(content));
        const rate = this.options.byteErrorRate ?? 0;
        if (rate > 0) {
          wire = Uint8Array.from(wire);
          for (let i = 0; i < wire.length; i++) {
            if (this.#rnd.next() < rate) wire[i] ^= 1 + Math.floor(this.#rnd.next() * 255);
          }
        }
        this.clock.setTimer(this.options.latencyMs ?? 5, () => receiver.push(wire));
      },
    });
  }

  /** Run virtual time for `ms`. */
  run(ms: number): void {
    this.clock.advance(ms);
  }

  /** Frames in the trace matching a pattern, e.g. /^a>b I /. */
  count(pattern: RegExp): number {
    return this.trace.filter((l) => pattern.test(l)).length;
  }

  /** Bring both stations up (A calls) and clear the trace. */
  establish(): void {
    this.a.connect();
    this.run(100);
    if (!this.a.isUp || !this.b.isUp) throw new Error('link did not come up');
    this.trace.length = 0;
  }
}

export function payload(length: number, seed = 3): Buffer {
  const rnd = new SeededRandom(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rnd.next() * 256);
  return out;
}
