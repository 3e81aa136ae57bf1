/**
 * The depot's event queue in flash (docs/key-depot.md §5.1): events wait
 * here, across power cuts, until an ack of the centre lists them.
 *
 * A ring of erase blocks, written in order. `append` writes an Event
 * record, `acknowledge` an Ack record with the seqs; mounting scans every
 * block oldest first, so an event is pending when its record is committed
 * and no committed Ack names it. A block is erased for reuse only when
 * none of its events is pending — an unacknowledged event is never erased.
 * When the ring is full of pending events, new events are refused (counted
 * by the caller); one block is kept in reserve so that acks can always be
 * written and the queue can drain.
 *
 * Power cuts: every record is committed last (depot-record.ts), so a cut
 * leaves the event or ack either fully there or not at all; an ack lost
 * that way makes the event pending again *with its seq*, so the centre
 * sees a resend it already has, never a new event.
 */
import type { DeviceEvent } from '../../core/check-in-body.js';
import type { FlashDevice } from '../../core/flash-device.js';
import { findRing, newerGeneration, ringOrder } from '../block-ring.js';
import {
  AREA_HEADER_SIZE, DepotRecordKind, encodeAreaHeader, encodeRecord, parseAreaHeader, programRecord,
  RECORD_OVERHEAD, scanBlock, type AreaHeader,
} from './depot-record.js';
import type { FlashArea } from './snapshot-store.js';

/** "HSDQ" — Hicom-sim depot queue. */
export const QUEUE_MAGIC = 0x51445348;
/** A ring needs a block being written, one in reserve for acks, and one to reclaim. */
export const MIN_QUEUE_BLOCKS = 3;

export interface QueueMount {
  /** Blocks whose header was neither erased nor valid (a cut erase); reused when their turn comes. */
  corruptBlocks: number[];
  pending: number;
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class FlashEventQueue {
  readonly #dev: FlashDevice;
  readonly #area: FlashArea;
  readonly #bs: number;
  readonly #blocks: number;
  #headers: Array<AreaHeader | undefined> = [];
  #newest: number | undefined;
  #writePos = 0;
  #nextSeq = 1;
  /** Pending events by seq, with the ring slot each lives in. */
  #pending = new Map<number, { event: DeviceEvent; slot: number }>();
  #liveInSlot: number[];
  readonly mountReport: QueueMount;

  static mount(dev: FlashDevice, area: FlashArea): FlashEventQueue {
    return new FlashEventQueue(dev, area);
  }

  private constructor(dev: FlashDevice, area: FlashArea) {
    this.#dev = dev;
    this.#area = area;
    this.#bs = dev.blockSize;
    this.#blocks = area.size / this.#bs;
    if (area.offset % this.#bs !== 0 || !Number.isInteger(this.#blocks) || this.#blocks < MIN_QUEUE_BLOCKS || area.offset + area.size > dev.size) {
      throw new RangeError(`queue area ${area.offset}+${area.size} needs ${MIN_QUEUE_BLOCKS} or more whole ${this.#bs}-byte blocks on the device`);
    }
    this.#liveInSlot = new Array<number>(this.#blocks).fill(0);
    const corrupt: number[] = [];
    const blocks: Uint8Array[] = [];
    const read: Array<AreaHeader | undefined> = [];
    for (let i = 0; i < this.#blocks; i++) {
      const bytes = dev.read(area.offset + i * this.#bs, this.#bs);
      blocks.push(bytes);
      const h = parseAreaHeader(bytes.subarray(0, AREA_HEADER_SIZE), QUEUE_MAGIC);
      if (h === 'corrupt') corrupt.push(i);
      read.push(typeof h === 'string' ? undefined : h);
    }
    ({ newest: this.#newest, headers: this.#headers } = findRing(read, (h) => h.generation));
    if (this.#newest !== undefined) {
      this.#nextSeq = this.#headers[this.#newest]!.base;
      for (const slot of ringOrder(this.#headers, this.#newest)) {
        const end = scanBlock(blocks[slot], (r) => this.#apply(r, slot));
        if (slot === this.#newest) this.#writePos = end.free ? end.pos : this.#bs;
      }
    }
    this.mountReport = { corruptBlocks: corrupt, pending: this.#pending.size };
  }

  /** Events not yet acknowledged, oldest first. */
  pending(): DeviceEvent[] {
    return [...this.#pending.keys()].sort((a, b) => a - b).map((s) => this.#pending.get(s)!.event);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** The seq the next event gets. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** The largest event payload that fits a block. */
  get maxEventBytes(): number {
    return this.#bs - AREA_HEADER_SIZE - RECORD_OVERHEAD;
  }

  /**
   * Queue an event (its `seq` is assigned here); durable when this returns.
   * Throws QueueFullError when only the reserve block is left.
   */
  append(event: Omit<DeviceEvent, 'seq'>): DeviceEvent {
    const seq = this.#nextSeq;
    const full = { ...event, seq } as DeviceEvent;
    const record = encodeRecord(DepotRecordKind.Event, seq, utf8.encode(JSON.stringify(full)));
    if (record.length > this.#bs - AREA_HEADER_SIZE) throw new RangeError(`event of ${record.length} bytes does not fit a ${this.#bs}-byte block`);
    this.#ensureRoom(record.length, 2);
    this.#write(record);
    this.#nextSeq = (seq + 1) >>> 0;
    this.#pending.set(seq, { event: full, slot: this.#newest! });
    this.#liveInSlot[this.#newest!]++;
    return full;
  }

  /** Forget the events the centre stored; durable when this returns. Returns how many were pending. */
  acknowledge(seqs: Iterable<number>): number {
    const hit = [...new Set(seqs)].filter((s) => this.#pending.has(s));
    const perRecord = Math.floor((this.#bs - AREA_HEADER_SIZE - RECORD_OVERHEAD) / 4);
    for (let i = 0; i < hit.length; i += perRecord) {
      const part = hit.slice(i, i + perRecord);
      const payload = new Uint8Array(4 * part.length);
      const v = new DataView(payload.buffer);
      part.forEach((s, k) => v.setUint32(4 * k, s, true));
      const record = encodeRecord(DepotRecordKind.Ack, part.length, payload);
      this.#ensureRoom(record.length, 1);
      this.#write(record);
      for (const s of part) this.#forget(s);
    }
    return hit.length;
  }

  #apply(r: { kind: DepotRecordKind; seq: number; payload: Uint8Array }, slot: number): void {
    if (r.kind === DepotRecordKind.Event) {
      let event: DeviceEvent;
      try {
        event = JSON.parse(fromUtf8.decode(r.payload)) as DeviceEvent;
      } catch {
        return; // a committed record with a good CRC that is not JSON was never written by us
      }
      if (event.seq !== r.seq) return;
      if (!this.#pending.has(r.seq)) {
        this.#pending.set(r.seq, { event, slot });
        this.#liveInSlot[slot]++;
      }
      if (newerGeneration(r.seq + 1, this.#nextSeq)) this.#nextSeq = (r.seq + 1) >>> 0;
    } else if (r.kind === DepotRecordKind.Ack) {
      const v = new DataView(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength);
      for (let i = 0; i + 4 <= r.payload.length; i += 4) this.#forget(v.getUint32(i, true));
    }
  }

  #forget(seq: number): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    this.#liveInSlot[p.slot]--;
  }

  /** Are the next `n` slots after the newest free of pending events? */
  #reclaimable(n: number): boolean {
    for (let k = 1; k <= n; k++) {
      const slot = this.#newest === undefined ? k - 1 : (this.#newest + k) % this.#blocks;
      if (this.#liveInSlot[slot] > 0) return false;
    }
    return true;
  }

  /** Start the next block if the record does not fit; events need the reserve block behind it free too. */
  #ensureRoom(size: number, needFree: number): void {
    if (this.#newest !== undefined && this.#writePos + size <= this.#bs) return;
    if (!this.#reclaimable(needFree)) throw new QueueFullError('event queue full: every block holds unacknowledged events');
    const slot = this.#newest === undefined ? 0 : (this.#newest + 1) % this.#blocks;
    const generation = this.#newest === undefined ? 1 : (this.#headers[this.#newest]!.generation + 1) >>> 0;
    const header: AreaHeader = { generation, base: this.#nextSeq };
    this.#headers[slot] = undefined;
    // Close the current block first: if the erase or header is cut, the next call starts over.
    this.#writePos = this.#bs;
    this.#dev.erase(this.#area.offset / this.#bs + slot);
    this.#dev.program(this.#area.offset + slot * this.#bs, encodeAreaHeader(QUEUE_MAGIC, header));
    this.#headers[slot] = header;
    this.#newest = slot;
    this.#writePos = AREA_HEADER_SIZE;
  }

  #write(record: Uint8Array): void {
    const at = this.#area.offset + this.#newest! * this.#bs + this.#writePos;
    const pos = this.#writePos;
    this.#writePos = this.#bs;
    programRecord(this.#dev, at, record);
    this.#writePos = pos + record.length;
  }

}
