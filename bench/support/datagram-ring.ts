/**
 * A single-producer, single-consumer ring of datagrams in a
 * SharedArrayBuffer, for handing batches between two threads without a
 * structured clone per datagram (the ceiling's `seal-thread` layer,
 * bench/support/ceiling-process.ts). Each slot holds one datagram of at
 * most `SLOT_BYTES` and a 32-bit tag (the bench puts the sender's port
 * there). The producer writes slots and publishes them with one
 * `Atomics.store` + `Atomics.notify` per batch; the consumer reads up to
 * the published end and frees the slots with one store per batch.
 */

/** Spec §5.2: at most 1,200 bytes per telegram. */
export const SLOT_BYTES = 1200;
const SLOT_HEADER = 8;
/** Int32 indices in the control words: next slot to write (tail), next slot to read (head). */
export const TAIL = 0;
export const HEAD = 1;

export interface DatagramRingMemory {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  slots: number;
}

export function allocateDatagramRing(slots: number): DatagramRingMemory {
  return { control: new SharedArrayBuffer(8), data: new SharedArrayBuffer(slots * (SLOT_HEADER + SLOT_BYTES)), slots };
}

export class DatagramRing {
  readonly control: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #slots: number;
  /** The producer's tail not yet published (a batch in the making). */
  #tail: number;

  constructor(memory: DatagramRingMemory) {
    this.control = new Int32Array(memory.control);
    this.#bytes = new Uint8Array(memory.data);
    this.#view = new DataView(memory.data);
    this.#slots = memory.slots;
    this.#tail = Atomics.load(this.control, TAIL);
  }

  /** Producer: copy one datagram in; false when the ring is full (the caller drops it, as a full socket buffer would). */
  put(data: Uint8Array, tag: number): boolean {
    if (data.length > SLOT_BYTES) return false;
    if (this.#tail - Atomics.load(this.control, HEAD) >= this.#slots) return false;
    const at = (this.#tail % this.#slots) * (SLOT_HEADER + SLOT_BYTES);
    this.#view.setUint32(at, data.length);
    this.#view.setUint32(at + 4, tag);
    this.#bytes.set(data, at + SLOT_HEADER);
    this.#tail++;
    return true;
  }

  /** Producer: make what was put visible, and wake a consumer waiting on TAIL. */
  publish(): void {
    if (Atomics.load(this.control, TAIL) === this.#tail) return;
    Atomics.store(this.control, TAIL, this.#tail);
    Atomics.notify(this.control, TAIL);
  }

  /** Consumer: every datagram published and not yet taken, each as a view valid until `release`; returns how many. */
  take(each: (data: Uint8Array, tag: number) => void): number {
    const head = Atomics.load(this.control, HEAD);
    const tail = Atomics.load(this.control, TAIL);
    for (let i = head; i < tail; i++) {
      const at = (i % this.#slots) * (SLOT_HEADER + SLOT_BYTES);
      each(this.#bytes.subarray(at + SLOT_HEADER, at + SLOT_HEADER + this.#view.getUint32(at)), this.#view.getUint32(at + 4));
    }
    return tail - head;
  }

  /** Consumer: free the `n` slots `take` handed out. */
  release(n: number): void {
    Atomics.add(this.control, HEAD, n);
  }
}
