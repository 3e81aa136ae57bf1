import { crc32 } from 'node:zlib';
import { verifyApsImage, type ApsHeader } from './aps-image.js';
import { MB, type FlashDevice } from '../core/flash-device.js';

/**
 * Where the PBX keeps its APS image. Contract: `store` either makes the new
 * image the active one or leaves the previous active image in place — a
 * failure (or a power cut) part-way never leaves a half-stored image active.
 * `active` returns the active image's header, verified, or undefined.
 */
export interface ApsStore {
  active(): ApsHeader | undefined;
  /** The active image's bytes (for `aps show` and tests). */
  activeImage(): Buffer | undefined;
  /** Largest image this store can hold. */
  readonly capacity: number;
  store(image: Buffer, header: ApsHeader): void;
}

export class MemoryApsStore implements ApsStore {
  readonly capacity = 8 * MB;
  #image: Buffer | undefined;
  #header: ApsHeader | undefined;

  active(): ApsHeader | undefined {
    return this.#header;
  }

  activeImage(): Buffer | undefined {
    return this.#image;
  }

  store(image: Buffer, header: ApsHeader): void {
    this.#image = Buffer.from(image);
    this.#header = header;
  }
}

/**
 * APS images on the FMC, below the protocol log (docs/aps-image.md, "On the
 * FMC"): two slots of 4 MB at 0 and 4 MB. Each slot has a 64-byte slot
 * header in its first flash block and the image from the second block on.
 * A store writes the slot that is not active: erase, program the image,
 * then program the slot header (magic, sequence, length, CRC-32) last — so
 * a torn write leaves a slot without a valid header, and the other slot,
 * still holding the running APS, stays active.
 */
export const APS_SLOT_SIZE = 4 * MB;
export const APS_SLOT_OFFSETS = [0, 4 * MB] as const;
const SLOT_MAGIC = 'APSSLOT1';
const SLOT_HEADER_SIZE = 20; // magic 8, sequence 4, length 4, CRC-32 of those 16 bytes 4

interface Slot {
  index: number;
  sequence: number;
  header: ApsHeader;
  image: Buffer;
}

export class FlashApsStore implements ApsStore {
  readonly capacity: number;
  readonly #dev: FlashDevice;
  #active: Slot | undefined;

  constructor(device: FlashDevice) {
    this.#dev = device;
    this.capacity = APS_SLOT_SIZE - device.blockSize;
    this.#active = this.#scan();
  }

  active(): ApsHeader | undefined {
    return this.#active?.header;
  }

  activeImage(): Buffer | undefined {
    return this.#active?.image;
  }

  store(image: Buffer, header: ApsHeader): void {
    if (image.length > this.capacity) throw new Error(`APS image of ${image.length} bytes does not fit a ${this.capacity}-byte FMC slot`);
    const index = this.#active?.index === 0 ? 1 : 0;
    const base = APS_SLOT_OFFSETS[index];
    const bs = this.#dev.blockSize;
    const blocks = 1 + Math.ceil(image.length / bs);
    for (let b = 0; b < blocks; b++) this.#dev.erase(base / bs + b);
    this.#dev.program(base + bs, image);
    const sequence = (this.#active?.sequence ?? 0) + 1;
    const h = Buffer.alloc(SLOT_HEADER_SIZE);
    h.write(SLOT_MAGIC, 0, 'latin1');
    h.writeUInt32BE(sequence, 8);
    h.writeUInt32BE(image.length, 12);
    h.writeUInt32BE(crc32(h.subarray(0, 16)), 16);
    this.#dev.program(base, h);
    this.#active = { index, sequence, header, image: Buffer.from(image) };
  }

  /** The valid slot with the highest sequence; a slot whose image does not verify is ignored. */
  #scan(): Slot | undefined {
    let best: Slot | undefined;
    if (this.#dev.size < APS_SLOT_OFFSETS[1] + APS_SLOT_SIZE) return undefined;
    APS_SLOT_OFFSETS.forEach((base, index) => {
      const h = Buffer.from(this.#dev.read(base, SLOT_HEADER_SIZE));
      if (h.toString('latin1', 0, 8) !== SLOT_MAGIC || crc32(h.subarray(0, 16)) !== h.readUInt32BE(16)) return;
      const length = h.readUInt32BE(12);
      if (length > this.capacity) return;
      const image = Buffer.from(this.#dev.read(base + this.#dev.blockSize, length));
      const checked = verifyApsImage(image);
      if (!checked.ok) return;
      const sequence = h.readUInt32BE(8);
      if (!best || sequence > best.sequence) best = { index, sequence, header: checked.header, image };
    });
    return best;
  }
}
