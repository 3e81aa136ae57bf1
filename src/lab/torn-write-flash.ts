import { PowerCutError, type FlashDevice, type FlashStats } from '../../core/flash-device.js';

/**
 * An FMC whose power can be made to fail in the middle of its next write
 * (`lab` control command `pbx.power-cycle` with `tornWrite`): that program
 * lands only its first `afterBytes` bytes, throws PowerCutError, and the
 * card is dead from then on until the PBX is powered up again over a new
 * device. Until armed it passes everything through.
 */
export class TornWriteFlash implements FlashDevice {
  readonly size: number;
  readonly blockSize: number;
  #tear: { afterBytes: number; torn: (offset: number, landed: number) => void } | undefined;
  #dead = false;

  constructor(private readonly inner: FlashDevice) {
    this.size = inner.size;
    this.blockSize = inner.blockSize;
  }

  /** Cut the power during the next program, after `afterBytes` of it landed; `torn` is told where. */
  arm(afterBytes: number, torn: (offset: number, landed: number) => void): void {
    this.#tear = { afterBytes, torn };
  }

  get armed(): boolean {
    return this.#tear !== undefined;
  }

  read(offset: number, length: number): Uint8Array {
    this.#alive();
    return this.inner.read(offset, length);
  }

  program(offset: number, data: Uint8Array): void {
    this.#alive();
    const tear = this.#tear;
    if (!tear) return this.inner.program(offset, data);
    this.#tear = undefined;
    this.#dead = true;
    const landed = Math.min(tear.afterBytes, data.length);
    if (landed > 0) this.inner.program(offset, data.subarray(0, landed));
    tear.torn(offset, landed);
    throw new PowerCutError(`power failed after ${landed} of ${data.length} bytes written at FMC offset ${offset}`);
  }

  erase(block: number): void {
    this.#alive();
    this.inner.erase(block);
  }

  stats(): FlashStats {
    return this.inner.stats();
  }

  #alive(): void {
    if (this.#dead) throw new PowerCutError('the FMC lost power');
  }
}
