/**
 * A small setting kept in flash so that a power cut at any byte leaves
 * either the old or the new value, never neither (docs/key-depot.md §5.2).
 *
 * The area is two halves of whole erase blocks. Every `write` appends a
 * snapshot with the next version to the active half; when it is full, the
 * *other* half is erased and started with a higher generation. The half
 * that holds the newest committed snapshot is never the one erased, so at
 * every instant one complete snapshot is on flash.
 */
import type { FlashDevice } from '../../core/flash-device.js';
import { newerGeneration } from '../block-ring.js';
import {
  AREA_HEADER_SIZE, DepotRecordKind, encodeAreaHeader, encodeRecord, parseAreaHeader, programRecord,
  RECORD_OVERHEAD, scanBlock, type AreaHeader,
} from './depot-record.js';

export interface FlashArea {
  offset: number;
  size: number;
}

interface Half {
  header: AreaHeader | undefined;
  /** Append point; `size` when the half is full or closed by a torn record. */
  writePos: number;
  latest: { version: number; payload: Uint8Array } | undefined;
}

export class FlashSnapshotStore {
  readonly #dev: FlashDevice;
  readonly #magic: number;
  readonly #halves: [FlashArea, FlashArea];
  #state: [Half, Half];
  #active: 0 | 1 | undefined;

  /** `area` must be an even number of whole erase blocks (at least 2). */
  static mount(dev: FlashDevice, area: FlashArea, magic: number): FlashSnapshotStore {
    return new FlashSnapshotStore(dev, area, magic);
  }

  private constructor(dev: FlashDevice, area: FlashArea, magic: number) {
    const bs = dev.blockSize;
    if (area.offset % bs !== 0 || area.size % (2 * bs) !== 0 || area.size === 0 || area.offset + area.size > dev.size) {
      throw new RangeError(`snapshot area ${area.offset}+${area.size} is not an even number of ${bs}-byte blocks on the device`);
    }
    this.#dev = dev;
    this.#magic = magic;
    const half = area.size / 2;
    this.#halves = [{ offset: area.offset, size: half }, { offset: area.offset + half, size: half }];
    this.#state = [this.#read(0), this.#read(1)];
    const [a, b] = this.#state;
    this.#active = a.header && (!b.header || !newerGeneration(b.header.generation, a.header.generation)) ? 0 : b.header ? 1 : undefined;
  }

  /** The most bytes one snapshot may have. */
  get capacity(): number {
    return this.#halves[0].size - AREA_HEADER_SIZE - RECORD_OVERHEAD;
  }

  /** The newest committed snapshot, or undefined on a fresh device. */
  latest(): Uint8Array | undefined {
    return this.#newest()?.latest?.payload;
  }

  /** Store `payload` as the new snapshot; durable when this returns. */
  write(payload: Uint8Array): void {
    if (payload.length > this.capacity) throw new RangeError(`snapshot of ${payload.length} bytes is over the store's ${this.capacity}`);
    const newest = this.#newest();
    const version = newest?.latest ? (newest.latest.version + 1) >>> 0 : 1;
    const record = encodeRecord(DepotRecordKind.Snapshot, version, payload);
    let i = this.#active;
    if (i === undefined || this.#state[i].writePos + record.length > this.#halves[i].size) i = this.#startHalf();
    const at = this.#halves[i].offset + this.#state[i].writePos;
    // Advance first: if the program fails, the half is closed for writing (a torn record may be there now).
    this.#state[i].writePos = this.#halves[i].size;
    programRecord(this.#dev, at, record);
    this.#state[i].writePos = at - this.#halves[i].offset + record.length;
    this.#state[i].latest = { version, payload: Uint8Array.from(payload) };
  }

  /** Erase and start the half that does not hold the newest snapshot; returns it. */
  #startHalf(): 0 | 1 {
    const newest = this.#newest();
    const keep = newest?.latest ? this.#state.indexOf(newest) : -1;
    const target: 0 | 1 = keep === 0 ? 1 : keep === 1 ? 0 : (this.#active ?? 0);
    const generations = this.#state.flatMap((h) => (h.header ? [h.header.generation] : []));
    const top = generations.reduce((m, g) => (newerGeneration(g, m) ? g : m), generations[0] ?? 0);
    const header: AreaHeader = { generation: generations.length ? (top + 1) >>> 0 : 1, base: 0 };
    const { offset, size } = this.#halves[target];
    this.#state[target] = { header: undefined, writePos: size, latest: undefined };
    if (this.#active === target) this.#active = undefined;
    for (let b = offset / this.#dev.blockSize; b < (offset + size) / this.#dev.blockSize; b++) this.#dev.erase(b);
    this.#dev.program(offset, encodeAreaHeader(this.#magic, header));
    this.#state[target] = { header, writePos: AREA_HEADER_SIZE, latest: undefined };
    this.#active = target;
    return target;
  }

  #newest(): Half | undefined {
    const [a, b] = this.#state;
    if (!a.latest) return b.latest ? b : undefined;
    if (!b.latest) return a;
    return newerGeneration(b.latest.version, a.latest.version) ? b : a;
  }

  #read(i: 0 | 1): Half {
    const { offset, size } = this.#halves[i];
    const bytes = this.#dev.read(offset, size);
    const header = parseAreaHeader(bytes.subarray(0, AREA_HEADER_SIZE), this.#magic);
    if (typeof header === 'string') return { header: undefined, writePos: size, latest: undefined };
    let latest: Half['latest'];
    const end = scanBlock(bytes, (r) => {
      if (r.kind === DepotRecordKind.Snapshot && (!latest || newerGeneration(r.seq, latest.version))) latest = { version: r.seq, payload: r.payload };
    });
    return { header, writePos: end.free ? end.pos : size, latest };
  }
}
