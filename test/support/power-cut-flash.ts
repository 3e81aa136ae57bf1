import { PowerCutError, type FlashDevice, type FlashStats } from '../../core/flash-device.js';
import { checkProgrammable, checkRange, MemoryFlash } from '../../firmware-sim/memory-flash.js';

/**
 * How the cut operation is torn.
 * - `programBytes`: how many leading bytes of the cut program land (default
 *   all of them: the write finished but power failed before it was acknowledged).
 * - `erase`: what a cut erase leaves: `'none'` (nothing erased), `'all'`
 *   (erased, not acknowledged) or `'mixed'` (a pseudo-random mix of erased
 *   and old bytes, as a NOR sector looks when its erase pulse is cut short).
 */
export interface PowerCutPlan {
  /** The cut happens during the N-th program/erase (1-based); earlier ones complete. */
  cutAt: number;
  programBytes?: number;
  erase?: 'none' | 'all' | 'mixed';
  /** Seed of the 'mixed' erase pattern, so a failing case can be replayed. */
  seed?: number;
}

/**
 * Fault-injecting wrapper over a MemoryFlash. Counts program and erase
 * operations; during operation number `cutAt` it lets only part of it land,
 * throws PowerCutError, and from then on every call throws PowerCutError
 * ("dead") — re-create a device over `inner.bytes` to power up again.
 * Without a plan it only counts, so a test can learn a workload's op count.
 */
export class PowerCutFlash implements FlashDevice {
  readonly size: number;
  readonly blockSize: number;
  #ops = 0;
  #dead = false;

  constructor(readonly inner: MemoryFlash, readonly plan?: PowerCutPlan) {
    this.size = inner.size;
    this.blockSize = inner.blockSize;
  }

  /** Program and erase operations started so far (the cut one included). */
  get ops(): number {
    return this.#ops;
  }

  get dead(): boolean {
    return this.#dead;
  }

  read(offset: number, length: number): Uint8Array {
    this.#alive();
    return this.inner.read(offset, length);
  }

  program(offset: number, data: Uint8Array): void {
    this.#alive();
    if (!this.#cutNow()) {
      this.inner.program(offset, data);
      return;
    }
    checkRange(this, offset, data.length);
    const landed = data.subarray(0, Math.min(data.length, this.plan?.programBytes ?? data.length));
    checkProgrammable(this.inner.bytes.subarray(offset, offset + landed.length), landed, offset);
    this.inner.bytes.set(landed, offset);
    throw new PowerCutError(`power cut during program #${this.#ops} at ${offset} (${landed.length}/${data.length} bytes landed)`);
  }

  erase(block: number): void {
    this.#alive();
    if (!this.#cutNow()) {
      this.inner.erase(block);
      return;
    }
    const mode = this.plan?.erase ?? 'all';
    const start = block * this.blockSize;
    if (mode === 'all') this.inner.bytes.fill(0xff, start, start + this.blockSize);
    if (mode === 'mixed') {
      let x = (this.plan?.seed ?? 1) >>> 0 || 1;
      for (let i = start; i < start + this.blockSize; i++) {
        // xorshift32: cheap deterministic noise for which bytes the pulse reached
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        if (x & 1) this.inner.bytes[i] = 0xff;
      }
    }
    throw new PowerCutError(`power cut during erase #${this.#ops} of block ${block} (${mode})`);
  }

  stats(): FlashStats {
    return this.inner.stats();
  }

  #cutNow(): boolean {
    this.#ops++;
    if (this.plan === undefined || this.#ops !== this.plan.cutAt) return false;
    this.#dead = true;
    return true;
  }

  #alive(): void {
    if (this.#dead) throw new PowerCutError('flash device has no power (re-create it over the same bytes)');
  }
}
