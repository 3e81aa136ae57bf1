/** What the digest reads of an error-signaling event: its type and, where it has them, its numbers. */
export interface DigestedEvent {
  type: string;
  attempt?: number;
  seq?: number;
  records?: number;
  deleted?: number;
  failures?: number;
  id?: number;
  failure?: string;
}

/** Event types in a fixed order, so the digest does not hash strings. */
const TYPES = ['attempt', 'sent', 'failed', 'stopped', 'resumed', 'skipped', 'function-test'];

/**
 * A fingerprint of a fleet's error signaling: every event of every PBX —
 * which PBX, its virtual time, its type and numbers (attempt, seq, records
 * sent and deleted, failure) — mixed into one 32-bit hash per event and
 * summed. A sum does not depend on the order the events were seen in, so a
 * fleet run on one thread, on W workers, or by another build gives the same
 * digest exactly when every PBX had the same events at the same times:
 * a stronger check than equal counts, at the cost of a few integer
 * multiplications per event.
 */
export class SignalingDigest {
  #sum = 0;
  events = 0;
  failed = 0;
  stopped = 0;

  /** Count and mix one event of PBX `pbx` at virtual time `at`. */
  add(pbx: number, at: number, e: DigestedEvent): void {
    this.events++;
    if (e.type === 'failed') this.failed++;
    else if (e.type === 'stopped') this.stopped++;
    let h = mix(0x811c9dc5, pbx);
    h = mix(h, at % 0x1_0000_0000);
    h = mix(h, Math.floor(at / 0x1_0000_0000));
    h = mix(h, TYPES.indexOf(e.type));
    h = mix(h, e.attempt ?? -1);
    h = mix(h, e.seq ?? -1);
    h = mix(h, e.records ?? -1);
    h = mix(h, e.deleted ?? -1);
    h = mix(h, e.failures ?? -1);
    h = mix(h, e.id ?? -1);
    if (e.failure !== undefined) for (let k = 0; k < e.failure.length; k++) h = mix(h, e.failure.charCodeAt(k));
    this.#sum = (this.#sum + h) >>> 0;
  }

  /** The digest as 8 hex digits. */
  get value(): string {
    return this.#sum.toString(16).padStart(8, '0');
  }

  /** The digest of two parts of one fleet (the sum of their sums). */
  static combine(a: string, b: string): string {
    return ((parseInt(a, 16) + parseInt(b, 16)) >>> 0).toString(16).padStart(8, '0');
  }
}

/** One step of a 32-bit multiply-xorshift mix (the finaliser of MurmurHash3). */
function mix(h: number, v: number): number {
  let x = Math.imul(h ^ (v | 0), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
