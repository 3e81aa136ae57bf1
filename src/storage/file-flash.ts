import { closeSync, constants, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { FLASH_BLOCK_SIZE, FMC_SIZE, FlashError, type FlashDevice, type FlashStats } from '../../core/flash-device.js';
import { checkProgrammable, checkRange, emptyStats } from '../../firmware-sim/memory-flash.js';

/**
 * The FMC as an image file in the PBX's state directory. The whole image is
 * mirrored in RAM for reads and the NOR bit check; every program/erase is
 * written through with writeSync + fdatasync before it returns, so an
 * acknowledged write survives a crash of the process or the host.
 */
export class FileFlash implements FlashDevice {
  readonly size: number;
  readonly blockSize: number;
  readonly #fd: number;
  readonly #image: Uint8Array;
  #stats: FlashStats;
  #closed = false;

  /**
   * Open `path`, creating a 0xFF-filled (erased) image when it is missing.
   * Throws FlashError with the path when the file has the wrong size or
   * cannot be read/written.
   */
  constructor(readonly path: string, options: { size?: number; blockSize?: number } = {}) {
    this.size = options.size ?? FMC_SIZE;
    this.blockSize = options.blockSize ?? FLASH_BLOCK_SIZE;
    let fd: number;
    let created = false;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FlashError(`cannot create FMC image ${path}: ${(err as Error).message}`);
      try {
        fd = openSync(path, constants.O_RDWR);
      } catch (openErr) {
        throw new FlashError(`cannot open FMC image ${path}: ${(openErr as Error).message}`);
      }
    }
    this.#fd = fd;
    this.#image = new Uint8Array(this.size).fill(0xff);
    try {
      if (created) {
        this.#write(0, this.#image);
      } else {
        const actual = fstatSync(fd).size;
        if (actual !== this.size) throw new FlashError(`FMC image ${path} is ${actual} bytes, expected ${this.size}`);
        let done = 0;
        while (done < this.size) {
          const n = readSync(fd, this.#image, done, this.size - done, done);
          if (n === 0) throw new FlashError(`FMC image ${path} ended early at ${done} bytes`);
          done += n;
        }
      }
    } catch (err) {
      closeSync(fd);
      throw err instanceof FlashError ? err : new FlashError(`cannot read FMC image ${path}: ${(err as Error).message}`);
    }
    this.#stats = emptyStats(this.size / this.blockSize);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    this.#stats.reads[Math.floor(offset / this.blockSize)]++;
    return this.#image.slice(offset, offset + length);
  }

  program(offset: number, data: Uint8Array): void {
    checkRange(this, offset, data.length);
    checkProgrammable(this.#image.subarray(offset, offset + data.length), data, offset);
    this.#stats.programs[Math.floor(offset / this.blockSize)]++;
    this.#write(offset, data);
    this.#image.set(data, offset);
  }

  erase(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.size / this.blockSize) {
      throw new FlashError(`erase of block ${block} outside 0..${this.size / this.blockSize - 1}`);
    }
    this.#stats.erases[block]++;
    const start = block * this.blockSize;
    this.#write(start, new Uint8Array(this.blockSize).fill(0xff));
    this.#image.fill(0xff, start, start + this.blockSize);
  }

  stats(): FlashStats {
    return { reads: [...this.#stats.reads], programs: [...this.#stats.programs], erases: [...this.#stats.erases] };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #write(offset: number, data: Uint8Array): void {
    if (this.#closed) throw new FlashError(`FMC image ${this.path} is closed`);
    try {
      let done = 0;
      while (done < data.length) done += writeSync(this.#fd, data, done, data.length - done, offset + done);
      fdatasyncSync(this.#fd);
    } catch (err) {
      throw new FlashError(`cannot write FMC image ${this.path}: ${(err as Error).message}`);
    }
  }
}
