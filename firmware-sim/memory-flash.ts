import { FLASH_BLOCK_SIZE, FMC_SIZE, FlashError, type FlashDevice, type FlashStats } from '../core/flash-device.js';

/** Check an access against a device's bounds; shared by every FlashDevice implementation. */
export function checkRange(device: { size: number }, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > device.size) {
    throw new FlashError(`flash access ${offset}+${length} outside 0..${device.size}`);
  }
}

/** Check that `data` only clears bits of `current` (NOR: programming cannot set a bit). */
export function checkProgrammable(current: Uint8Array, data: Uint8Array, offset: number): void {
  for (let i = 0; i < data.length; i++) {
    if ((current[i] & data[i]) !== data[i]) {
      throw new FlashError(`program at ${offset + i} would set bits (0x${current[i].toString(16)} → 0x${data[i].toString(16)}); erase the block first`);
    }
  }
}

export function emptyStats(blocks: number): FlashStats {
  return { reads: new Array<number>(blocks).fill(0), programs: new Array<number>(blocks).fill(0), erases: new Array<number>(blocks).fill(0) };
}

/**
 * NOR flash kept in RAM. `bytes` may be shared with an earlier instance so a
 * test can "re-insert" the same card after a power cut; counters start at 0
 * for every instance.
 */
export class MemoryFlash implements FlashDevice {
  readonly size: number;
  readonly blockSize: number;
  readonly bytes: Uint8Array;
  #stats: FlashStats;

  constructor(options: { size?: number; blockSize?: number; bytes?: Uint8Array } = {}) {
    this.blockSize = options.blockSize ?? FLASH_BLOCK_SIZE;
    this.size = options.bytes?.length ?? options.size ?? FMC_SIZE;
    if (!Number.isInteger(this.blockSize) || this.blockSize <= 0 || this.size % this.blockSize !== 0) {
      throw new FlashError(`flash size ${this.size} is not a multiple of block size ${this.blockSize}`);
    }
    this.bytes = options.bytes ?? new Uint8Array(this.size).fill(0xff);
    this.#stats = emptyStats(this.size / this.blockSize);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    this.#count(this.#stats.reads, offset, length);
    return this.bytes.slice(offset, offset + length);
  }

  program(offset: number, data: Uint8Array): void {
    checkRange(this, offset, data.length);
    checkProgrammable(this.bytes.subarray(offset, offset + data.length), data, offset);
    this.#count(this.#stats.programs, offset, data.length);
    this.bytes.set(data, offset);
  }

  erase(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.size / this.blockSize) {
      throw new FlashError(`erase of block ${block} outside 0..${this.size / this.blockSize - 1}`);
    }
    this.#stats.erases[block]++;
    this.bytes.fill(0xff, block * this.blockSize, (block + 1) * this.blockSize);
  }

  stats(): FlashStats {
    return { reads: [...this.#stats.reads], programs: [...this.#stats.programs], erases: [...this.#stats.erases] };
  }

  #count(counter: number[], offset: number, length: number): void {
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / this.blockSize);
    for (let b = first; b <= last; b++) counter[b]++;
  }
}
