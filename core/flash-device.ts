/**
 * A NOR flash chip as the firmware sees it (spec §4.7).
 *
 * Contract:
 * - `read` works anywhere, any length.
 * - `program` can only clear bits (1 → 0). Asking to set a bit that is 0
 *   throws FlashError; nothing of that program lands.
 * - `erase(block)` sets the whole block to 0xFF.
 * - When `program`/`erase` return, the change is durable (a file-backed
 *   device has flushed it).
 * - A device that loses power mid-operation throws PowerCutError; the
 *   content is then whatever landed.
 */
export interface FlashDevice {
  readonly size: number;
  readonly blockSize: number;
  read(offset: number, length: number): Uint8Array;
  program(offset: number, data: Uint8Array): void;
  erase(block: number): void;
  /** Per-block counters, for wear figures. */
  stats(): FlashStats;
}

export interface FlashStats {
  reads: number[];
  programs: number[];
  erases: number[];
}

export class FlashError extends Error {
  override name = 'FlashError';
}

export class PowerCutError extends Error {
  override name = 'PowerCutError';
}

/** The FMC of the seed: 10 MB, log in the second-to-last MB. */
export const FMC_SIZE = 10 * 1024 * 1024;
export const MB = 1024 * 1024;
/** 64 KiB sectors, as on the NOR parts of FMCs of that era. */
export const FLASH_BLOCK_SIZE = 64 * 1024;
